import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import type { Io } from "../src/ui/io.js";
import { maskSecret, Output } from "../src/ui/output.js";

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
    expect(err()).toBe("warning: careful\n");
  });

  it("without --json, data lines are silent and human lines go to stderr", async () => {
    const { io, out, err } = fakeIo();
    const output = new Output(io);
    output.data("request", { id: "evt_1" });
    output.line("hello");
    await new Promise((r) => setImmediate(r));
    expect(out()).toBe("");
    expect(err()).toBe("hello\n");
  });

  it("never shows a secret in full", () => {
    expect(maskSecret("whsec_abcdefghijklmnop1234")).toBe("whsec_…1234");
    expect(maskSecret("short")).toBe("…");
    expect(maskSecret("whsec_abcdefghijklmnop1234")).not.toContain("abcdefgh");
  });
});
