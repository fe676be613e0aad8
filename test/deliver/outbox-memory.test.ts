import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Target } from "../helpers/target.js";
import { entry, outboxFor, type Running, tempDir, until } from "./helpers.js";

// A full collection on demand, so what is measured is what is still referenced, not garbage.
setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

/** Bytes the process still references: the JS heap and the memory behind Buffers. */
function retained(): number {
  gc();
  gc();
  const { heapUsed, arrayBuffers } = process.memoryUsage();
  return heapUsed + arrayBuffers;
}

describe("the outbox's memory as the queue grows", () => {
  let work: ReturnType<typeof tempDir>;
  let running: Running | undefined;
  beforeEach(() => {
    work = tempDir();
  });
  afterEach(async () => {
    await running?.close();
    running = undefined;
    work.remove();
  });

  /** Accepts entries from..to-1 with 4 KB bodies, 100 at a time (they share an fsync). */
  async function fill(r: Running, from: number, to: number) {
    for (let n = from; n < to; n += 100) {
      const batch = Array.from({ length: Math.min(100, to - n) }, (_, i) =>
        r.journal.accept(entry(n + i, { body: Buffer.alloc(4096, n + i) })),
      );
      for (const ref of await Promise.all(batch)) r.outbox.enqueue(ref);
    }
  }

  it("keeps a few bytes per pending entry, not its body: a down target's queue of 4 KB events", async () => {
    // Nothing listens there: every attempt is refused, and the next waits an hour.
    const down = new URL(`http://127.0.0.1:${await Target.freePort()}/`);
    running = await outboxFor(work.dir, down, { schedule: [3_600_000] });
    running.outbox.start();
    // The first thousand fill the cache of just-accepted entries (4 MB); only positions come after.
    await fill(running, 1, 1_001);
    await until("the head's first attempt", () => running?.records().length === 1);
    const before = retained();
    await fill(running, 1_001, 5_001);
    const perEntry = (retained() - before) / 4_000;
    expect(running.outbox.pending).toBe(5_000);
    // 20 bytes of position each, and the queue's doubling; a body kept would be over 4,096.
    expect(perEntry).toBeLessThan(250);
  });
});
