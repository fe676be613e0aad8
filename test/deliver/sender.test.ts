import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ThreadSender } from "../../src/deliver/sender.js";
import { Target } from "../helpers/target.js";
import { entry } from "./helpers.js";

// The thread runs src/deliver/send-thread.ts itself (compiled as it loads), not a build of it.
vi.mock("node:worker_threads", async (original) => {
  const real = await original<typeof import("node:worker_threads")>();
  class SourceWorker extends real.Worker {
    constructor(url: URL, options: import("node:worker_threads").WorkerOptions) {
      const source = new URL(String(url).replace(/\.js$/, ".ts"));
      super(new URL("./ts-thread.mjs", import.meta.url), { ...options, argv: [source.href] });
    }
  }
  return { ...real, Worker: SourceWorker };
});

describe("sending from the delivery thread", () => {
  let target: Target;
  let sender: ThreadSender | undefined;
  beforeEach(async () => {
    target = await new Target().start();
  });
  afterEach(async () => {
    await sender?.close(0);
    sender = undefined;
    await target.close();
  });

  const init = (more = {}) => ({
    target: target.url,
    timeoutMs: 5_000,
    providerOptions: {},
    env: {},
    ...more,
  });

  it("each send gets its own outcome, also when the answers come back out of order", async () => {
    target.respond = (q) => (q.url === "/p1" ? { status: 201, delayMs: 300 } : { status: 503 });
    sender = new ThreadSender(init());
    const now = new Date();
    const [first, second] = await Promise.all([
      sender.send({ ...entry(1), seq: 1 }, now),
      sender.send({ ...entry(2), seq: 2 }, now),
    ]);
    expect([first.ok && first.status, second.ok && second.status]).toEqual([201, 503]);
    expect(target.received.map((q) => q.url).sort()).toEqual(["/p1", "/p2"]);
  });

  it("a thread that cannot start fails every send, in words, instead of leaving it waiting", async () => {
    sender = new ThreadSender(init({ provider: "no-such-provider" }));
    const failed = await sender.send({ ...entry(1), seq: 1 }, new Date());
    expect(failed).toMatchObject({ ok: false, kind: "unreachable", why: "error", latencyMs: 0 });
    expect(failed.ok ? "" : failed.error).toMatch(/^the delivery thread failed: .*no-such-provider/);
    // Later sends (the thread has exited by now) still say why, not just that it stopped.
    await new Promise((resolve) => setTimeout(resolve, 200));
    const again = await sender.send({ ...entry(2), seq: 2 }, new Date());
    expect(again.ok ? "" : again.error).toBe(failed.ok ? "" : failed.error);
    await sender.close(0);
    expect(target.received).toHaveLength(0);
  });

  it("after close, a send fails at once: the thread is gone", async () => {
    sender = new ThreadSender(init());
    expect((await sender.send({ ...entry(1), seq: 1 }, new Date())).ok).toBe(true);
    await sender.close(100);
    await sender.close(100);
    const late = await sender.send({ ...entry(2), seq: 2 }, new Date());
    expect(late).toMatchObject({ ok: false, error: "the delivery thread stopped" });
    expect(target.received).toHaveLength(1);
  });
});
