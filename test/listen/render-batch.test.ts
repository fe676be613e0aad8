import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { ListenRenderer } from "../../src/commands/listen-render.js";
import type { ListenEvent, RequestRecord } from "../../src/events/types.js";
import type { Io } from "../../src/ui/io.js";
import { Output } from "../../src/ui/output.js";

/** An Io whose stdout and stderr count their writes (a pipe or a file: no TTY). */
function countingIo(tty = false) {
  const writes = { stdout: [] as string[], stderr: [] as string[] };
  const stream = (name: "stdout" | "stderr") =>
    Object.assign(
      new PassThrough(),
      { isTTY: tty },
      {
        write(chunk: string) {
          writes[name].push(String(chunk));
          return true;
        },
      },
    );
  const io: Io = {
    cwd: "/",
    env: {},
    stdin: new PassThrough(),
    stdout: stream("stdout"),
    stderr: stream("stderr"),
    now: () => new Date(0),
    interrupted: new Promise(() => {}),
  };
  return { io, writes };
}

function request(n: number): ListenEvent {
  const record: RequestRecord = {
    n,
    receivedAt: new Date(0),
    method: "POST",
    path: "/webhooks",
    headers: [],
    body: Buffer.from("{}"),
    provider: "stripe",
    event: "payment_intent.succeeded",
    eventId: `evt_${n}`,
    verification: { ok: true },
    outcome: "forwarded",
    status: 200,
    targetStatus: 200,
    latencyMs: 1,
    duplicate: false,
  };
  return { kind: "request", record };
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

describe("listen's request lines on a pipe or a file", () => {
  it("are written together once the event loop has handled what was ready, not one write each", async () => {
    const { io, writes } = countingIo();
    const renderer = new ListenRenderer(new Output(io));
    for (let n = 1; n <= 5; n += 1) renderer.handle(request(n));
    expect(writes.stderr).toEqual([]);
    await turn();
    expect(writes.stderr).toHaveLength(1);
    const lines = (writes.stderr[0] as string).split("\n").filter(Boolean);
    expect(lines).toHaveLength(5);
    expect(lines.map((l) => /evt_(\d)/.exec(l)?.[1])).toEqual(["1", "2", "3", "4", "5"]);
  });

  it("come before any later line: a warning or the stopping line flushes them first", async () => {
    const { io, writes } = countingIo();
    const renderer = new ListenRenderer(new Output(io));
    renderer.handle(request(1));
    renderer.handle({ kind: "warning", message: "careful" });
    renderer.handle(request(2));
    renderer.handle({ kind: "stopping", inFlight: 0, pending: 0 });
    const text = writes.stderr.join("");
    expect(text.indexOf("evt_1")).toBeLessThan(text.indexOf("careful"));
    expect(text.indexOf("careful")).toBeLessThan(text.indexOf("evt_2"));
    expect(text.indexOf("evt_2")).toBeLessThan(text.indexOf("stopping"));
  });

  it("--json request objects are batched on stdout the same way, one object a line", async () => {
    const { io, writes } = countingIo();
    const renderer = new ListenRenderer(new Output(io, { json: true }));
    renderer.handle(request(1));
    renderer.handle(request(2));
    await turn();
    expect(writes.stdout).toHaveLength(1);
    const objects = (writes.stdout[0] as string)
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(objects.map((o) => [o.kind, o.id])).toEqual([
      ["request", "evt_1"],
      ["request", "evt_2"],
    ]);
  });

  it("on a terminal, each line is written at once", () => {
    const { io, writes } = countingIo(true);
    const renderer = new ListenRenderer(new Output(io));
    renderer.handle(request(1));
    renderer.handle(request(2));
    expect(writes.stderr).toHaveLength(2);
  });
});

describe("--durable's delivery lines", () => {
  it("are batched like request lines, keep their order, and flush() writes them before a caller's own line", () => {
    const { io, writes } = countingIo();
    const out = new Output(io);
    const renderer = new ListenRenderer(out);
    const delivery = (seq: number): ListenEvent => ({
      kind: "delivery",
      record: { seq, attempt: 1, ok: true, status: 200, latencyMs: 1, pending: 0, eventId: `evt_${seq}` },
    });
    renderer.handle(request(1));
    renderer.handle(delivery(1));
    expect(writes.stderr).toEqual([]);
    renderer.flush();
    out.line("after");
    expect(writes.stderr).toHaveLength(2);
    const text = writes.stderr.join("");
    expect(text.indexOf("evt_1  verified")).toBeLessThan(text.indexOf("outbox #1"));
    expect(text.indexOf("outbox #1")).toBeLessThan(text.indexOf("after"));
  });
});
