import { appendFileSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Journal } from "../../src/deliver/journal.js";
import { listOffline } from "../../src/deliver/outbox-offline.js";

const entry = (n: number, body: Uint8Array = Buffer.from([0xff, n, 0x0a])) => ({
  receivedAt: new Date(0).toISOString(),
  method: "POST",
  path: `/p${n}`,
  headers: [["x-n", String(n)]] as [string, string][],
  body,
  eventId: `evt_${n}`,
});

const linesOf = (path: string) =>
  readFileSync(path, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { t: string; seq?: number });

describe("the durable journal", () => {
  let dir: string;
  let path: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "hook-journal-"));
    path = join(dir, "outbox.ndjson");
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("returns what was accepted and not delivered, byte-exact, in order; survives a torn last line", async () => {
    const first = await Journal.open(dir);
    const accepted = await Promise.all([1, 2, 3, 4].map((n) => first.journal.accept(entry(n))));
    expect(accepted.map((e) => e.seq)).toEqual([1, 2, 3, 4]);
    first.journal.delivered(2);
    await first.journal.close();
    // A crash in the middle of a write leaves half a line.
    appendFileSync(path, '{"t":"a","seq":5,"meth');
    const second = await Journal.open(dir);
    expect(second.damaged).toBe(1);
    expect(second.pending.toArray().map((e) => e.seq)).toEqual([1, 3, 4]);
    const [, three, four] = second.pending.toArray().map((ref) => second.journal.read(ref));
    expect(Buffer.from(three?.body ?? []).equals(Buffer.from([0xff, 3, 0x0a]))).toBe(true);
    expect(four?.headers).toEqual([["x-n", "4"]]);
    // The torn tail is cut, so the next line starts clean; sequence numbers keep counting up.
    expect(readFileSync(path, "utf8").endsWith("\n")).toBe(true);
    expect((await second.journal.accept(entry(9))).seq).toBe(5);
    await second.journal.close();
    expect((await Journal.open(dir)).damaged).toBe(0);
  });

  it("skips every line that is valid JSON but not a record, with the torn-line count, and keeps the rest", async () => {
    const good = await Journal.open(dir);
    await good.journal.accept(entry(1));
    await good.journal.close();
    const bad = [
      "null",
      "[]",
      "{}",
      "42",
      '"text"',
      "true",
      '{"t":"a","seq":7}',
      '{"t":"a","seq":8,"bodyBase64":"AA==","method":"POST","path":"/","receivedAt":"x","headers":[["a"]]}',
      '{"t":"a","seq":-1,"bodyBase64":"","method":"POST","path":"/","receivedAt":"x","headers":[]}',
      '{"t":"d"}',
      '{"t":"d","seq":"1"}',
      '{"t":"h","next":null}',
      '{"t":"f","seq":1}',
      '{"t":"z","seq":1}',
    ];
    appendFileSync(path, `${bad.join("\n")}\n`);
    const reopened = await Journal.open(dir);
    await reopened.journal.accept(entry(2));
    await reopened.journal.close();
    expect(reopened.damaged).toBe(bad.length);
    expect(reopened.pending.toArray().map((e) => e.seq)).toEqual([1]);
  });

  it("starts the file over once everything is delivered and it has grown past the limit", async () => {
    const { journal } = await Journal.open(dir, 200);
    const first = await Promise.all([1, 2, 3].map((n) => journal.accept(entry(n))));
    for (const e of first) journal.delivered(e.seq);
    await journal.accept(entry(4));
    await journal.close();
    expect(linesOf(path).map((l) => l.t)).toEqual(["h", "a"]);
    const reopened = await Journal.open(dir);
    expect(reopened.pending.toArray().map((e) => e.seq)).toEqual([4]);
    await reopened.journal.close();
  });

  it("compacts on open only when most of the file is history, keeping failures and sequence numbers", async () => {
    const { journal } = await Journal.open(dir, 100);
    const refs = await Promise.all([1, 2, 3, 4, 5].map((n) => journal.accept(entry(n))));
    for (const ref of refs.slice(0, 4)) journal.delivered(ref.seq);
    journal.failed(5, { attempts: 3, lastError: "target answered 503" });
    await journal.close();
    const before = statSync(path).size;
    const reopened = await Journal.open(dir, 100);
    expect(statSync(path).size).toBeLessThan(before);
    expect(linesOf(path).map((l) => l.t)).toEqual(["h", "a", "f"]);
    expect(reopened.pending.toArray().map((e) => e.seq)).toEqual([5]);
    expect(reopened.failures.get(5)).toEqual({ attempts: 3, lastError: "target answered 503" });
    expect(reopened.journal.read(reopened.pending.at(0) as never).eventId).toBe("evt_5");
    expect((await reopened.journal.accept(entry(6))).seq).toBe(6);
    await reopened.journal.close();
    // Little history: kept as it is (a start with a million pending must not rewrite gigabytes).
    const kept = statSync(path).size;
    await (await Journal.open(dir, 100)).journal.close();
    expect(statSync(path).size).toBe(kept);
  });

  it("reads lines far longer than its read buffer, and a journal longer than any string", async () => {
    const big = Buffer.alloc(3 * 1024 * 1024, 7);
    const { journal } = await Journal.open(dir);
    await journal.accept(entry(1, big));
    await journal.accept(entry(2));
    await journal.close();
    const reopened = await Journal.open(dir);
    expect(reopened.pending.toArray().map((e) => e.seq)).toEqual([1, 2]);
    expect(Buffer.from(reopened.journal.read(reopened.pending.at(0) as never).body).equals(big)).toBe(true);
    await reopened.journal.close();
  });

  it("group-commits concurrent accepts: all resolve, all are on disk, each where its ref says", async () => {
    const { journal } = await Journal.open(dir);
    const refs = await Promise.all(Array.from({ length: 200 }, (_, i) => journal.accept(entry(i % 250))));
    expect(journal.pendingCount).toBe(200);
    expect(refs.map((ref) => journal.read(ref).seq)).toEqual(refs.map((ref) => ref.seq));
    await journal.close();
    const reopened = await Journal.open(dir);
    expect(reopened.pending.toArray()).toEqual(refs);
    await reopened.journal.close();
  });

  it("is listed without being changed beside no listener (hook outbox list)", async () => {
    const { journal } = await Journal.open(dir);
    await journal.accept(entry(1));
    journal.failed(1, { attempts: 2, lastError: "target answered 503" });
    await journal.close();
    appendFileSync(path, '{"t":"a","se');
    const size = statSync(path).size;
    const reply = listOffline(dir, new Date(60_000));
    expect(reply).toMatchObject({
      ok: true,
      entries: [{ seq: 1, eventId: "evt_1", attempts: 2, ageMs: 60_000 }],
    });
    expect(statSync(path).size).toBe(size);
    expect(listOffline(join(dir, "nowhere"), new Date())).toEqual({ ok: true, op: "list", entries: [] });
  });
});
