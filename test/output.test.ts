import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { maskSecret } from "../src/redact.js";
import type { Io } from "../src/ui/io.js";
import { Output } from "../src/ui/output.js";

function fakeIo(env: NodeJS.ProcessEnv = {}, tty = false) {
  const stdout = new PassThrough();
  const stderr = Object.assign(new PassThrough(), { isTTY: tty });
  let out = "";
  let err = "";
  stdout.on("data", (d) => {
    out += d;
  });
  stderr.on("data", (d) => {
    err += d;
  });
  const io: Io = {
    cwd: "/",
    env,
    stdin: new PassThrough(),
    stdout,
    stderr,
    now: () => new Date(0),
    interrupted: new Promise(() => {}),
  };
  return { io, out: () => out, err: () => err };
}

describe("Output", () => {
  it("uses colour only on a TTY without NO_COLOR, --no-color or --json", () => {
    expect(new Output(fakeIo({}, true).io).color.level).toBeGreaterThan(0);
    expect(new Output(fakeIo({}, false).io).color.level).toBe(0);
    expect(new Output(fakeIo({ NO_COLOR: "1" }, true).io).color.level).toBe(0);
    expect(new Output(fakeIo({}, true).io, { color: false }).color.level).toBe(0);
    expect(new Output(fakeIo({}, true).io, { json: true }).color.level).toBe(0);
  });

  it("--json writes one object per line to stdout and keeps human lines off", async () => {
    const { io, out, err } = fakeIo();
    const output = new Output(io, { json: true });
    output.data("request", { id: "evt_1" });
    output.line("a human line");
    output.warn("careful");
    await new Promise((r) => setImmediate(r));
    expect(out()).toBe('{"kind":"request","id":"evt_1"}\n');
    expect(err()).toBe("1970-01-01T00:00:00.000Z warning: careful\n");
  });

  it("without --json, data lines are silent and human lines go to stderr", async () => {
    const { io, out, err } = fakeIo();
    const output = new Output(io);
    output.data("request", { id: "evt_1" });
    output.line("hello");
    await new Promise((r) => setImmediate(r));
    expect(out()).toBe("");
    expect(err()).toBe("1970-01-01T00:00:00.000Z hello\n");
  });

  it("stamps every human line with an ISO time when stderr is not a TTY, and never on a terminal", async () => {
    const piped = fakeIo();
    new Output(piped.io).line("first\nsecond");
    const tty = fakeIo({}, true);
    new Output(tty.io, { color: false }).line("first");
    await new Promise((r) => setImmediate(r));
    expect(piped.err()).toBe("1970-01-01T00:00:00.000Z first\n1970-01-01T00:00:00.000Z second\n");
    expect(tty.err()).toBe("first\n");
  });

  it("escapes control characters in human lines but keeps its own colours", async () => {
    const tty = fakeIo({}, true);
    const output = new Output(tty.io);
    output.line(`${output.color.red("red")} \x1b[2J\x07\rfake`);
    output.warn("bell\x07");
    await new Promise((r) => setImmediate(r));
    expect(tty.err()).toBe("\x1b[31mred\x1b[39m \\x1b[2J\\x07\\rfake\n\x1b[33mwarning:\x1b[39m bell\\x07\n");
  });

  it("redacts URLs and headers in lines, warnings and --json data", async () => {
    const json = fakeIo({}, true);
    new Output(json.io, { json: true }).data("poll", {
      url: "https://u:p4ss@api.example.com/e?API_KEY=k3y&limit=1",
    });
    const human = fakeIo({}, true);
    new Output(human.io).warn("GET https://api.example.com/x?token=t0ken failed");
    await new Promise((r) => setImmediate(r));
    expect(json.out()).toBe('{"kind":"poll","url":"https://u:***@api.example.com/e?API_KEY=***&limit=1"}\n');
    expect(human.err()).toContain("GET https://api.example.com/x?token=*** failed");
  });

  it("never shows a secret in full", () => {
    expect(maskSecret("whsec_abcdefghijklmnop1234")).toBe("whsec_…1234");
    expect(maskSecret("short")).toBe("…");
    expect(maskSecret("whsec_abcdefghijklmnop1234")).not.toContain("abcdefgh");
  });
});
