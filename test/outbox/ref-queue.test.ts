import { describe, expect, it } from "vitest";
import { RefQueue } from "../../src/deliver/ref-queue.js";

const ref = (seq: number) => ({ seq, offset: seq * 100 + 2 ** 33, length: seq + 1 });

describe("the outbox's queue of positions", () => {
  it("keeps order through growth, reuse of the delivered front, removal and search", () => {
    const queue = new RefQueue();
    let nextIn = 1;
    let nextOut = 1;
    // Grows past its first arrays, drains most, grows again: the front is reused, then doubled.
    for (const [add, take] of [
      [3000, 2500],
      [5000, 100],
      [10, 5400],
    ] as const) {
      for (let i = 0; i < add; i += 1) queue.push(ref(nextIn++));
      for (let i = 0; i < take; i += 1) {
        expect(queue.at(0)).toEqual(ref(nextOut++));
        queue.shift();
      }
    }
    expect(queue.size).toBe(nextIn - nextOut);
    expect(queue.toArray()).toEqual(Array.from({ length: queue.size }, (_, i) => ref(nextOut + i)));
    expect(queue.indexOf(nextOut + 3)).toBe(3);
    expect(queue.indexOf(nextOut - 1)).toBe(-1);
    queue.removeAt(3);
    expect(queue.indexOf(nextOut + 3)).toBe(-1);
    expect(queue.at(3)).toEqual(ref(nextOut + 4));
    expect(queue.size).toBe(nextIn - nextOut - 1);
    expect(queue.at(queue.size)).toBeUndefined();
  });

  it("ignores what is out of range: an empty shift, a removal past either end, a negative index", () => {
    const queue = new RefQueue([ref(1), ref(2), ref(3)]);
    queue.removeAt(-1);
    queue.removeAt(3);
    expect(queue.toArray()).toEqual([ref(1), ref(2), ref(3)]);
    expect(queue.at(-1)).toBeUndefined();
    expect(queue.slice(1, 10)).toEqual([ref(2), ref(3)]);
    queue.removeAt(0);
    expect(queue.toArray()).toEqual([ref(2), ref(3)]);
    queue.removeAt(1);
    expect(queue.toArray()).toEqual([ref(2)]);
    queue.shift();
    queue.shift();
    expect(queue.size).toBe(0);
    expect(queue.indexOf(2)).toBe(-1);
    queue.push(ref(9));
    expect(queue.toArray()).toEqual([ref(9)]);
    expect(queue.indexOf(9)).toBe(0);
  });

  it("finds every entry by its sequence number, gaps and all", () => {
    const seqs = Array.from({ length: 100 }, (_, i) => 3 * i + 1);
    const queue = new RefQueue(seqs.map(ref));
    queue.shift();
    expect(seqs.map((seq) => queue.indexOf(seq))).toEqual(seqs.map((_, i) => i - 1));
    expect([0, 2, 3, 299, 500].map((seq) => queue.indexOf(seq))).toEqual([-1, -1, -1, -1, -1]);
  });
});
