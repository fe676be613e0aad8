import { describe, expect, it } from "vitest";
import type { OutboxEntry } from "../../src/deliver/journal.js";
import { RecentEntries } from "../../src/deliver/recent.js";

const sized = (seq: number, bytes: number): OutboxEntry => ({
  seq,
  receivedAt: new Date(0).toISOString(),
  method: "POST",
  path: "/",
  headers: [],
  body: Buffer.alloc(bytes),
});

/** Each entry costs its body plus 512 bytes of headers, strings and the map's share. */
describe("the outbox's memory of the entries it just accepted", () => {
  it("keeps entries up to its byte budget, exactly, and no more", () => {
    const recent = new RecentEntries(2 * (100 + 512));
    recent.add(sized(1, 100));
    recent.add(sized(2, 100));
    recent.add(sized(3, 1));
    expect([1, 2, 3].map((seq) => recent.get(seq)?.seq)).toEqual([1, 2, undefined]);
  });

  it("a delivered entry frees its share; forgetting one it never kept frees nothing", () => {
    const recent = new RecentEntries(2 * (100 + 512));
    recent.add(sized(1, 100));
    recent.add(sized(2, 100));
    recent.delete(7);
    recent.add(sized(3, 100));
    expect(recent.get(3)).toBeUndefined();
    recent.delete(1);
    expect(recent.get(1)).toBeUndefined();
    recent.add(sized(4, 100));
    expect(recent.get(4)?.seq).toBe(4);
    recent.delete(1);
    recent.add(sized(5, 1));
    expect(recent.get(5)).toBeUndefined();
  });

  it("holds 4 MB by default", () => {
    const recent = new RecentEntries();
    recent.add(sized(1, 4 * 1024 * 1024 - 512));
    recent.add(sized(2, 0));
    expect([recent.get(1)?.seq, recent.get(2)]).toEqual([1, undefined]);
  });
});
