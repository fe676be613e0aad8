import { execFileSync } from "node:child_process";
import { appendFileSync, closeSync, openSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Journal } from "../../src/deliver/journal.js";
import { encodeEntry } from "../../src/deliver/journal-lines.js";
import { entry, journalLines, tempDir } from "./helpers.js";

const HAS_PRLIMIT = (() => {
  try {
    execFileSync("prlimit", ["--version"], { stdio: "ignore" });
    return process.platform === "linux";
  } catch {
    return false;
  }
})();

/**
 * Runs `run` while this process may not grow a file past `bytes` (what a full disk does to a write:
 * it comes back short, then fails). Node ignores SIGXFSZ, so the write fails with EFBIG instead.
 */
function withFullDisk<T>(bytes: number, run: () => T): T {
  const limit = (soft: string) =>
    execFileSync("prlimit", ["--pid", String(process.pid), `--fsize=${soft}:unlimited`]);
  limit(String(bytes));
  try {
    return run();
  } finally {
    limit("unlimited");
  }
}

describe("the journal's records", () => {
  let work: ReturnType<typeof tempDir>;
  beforeEach(() => {
    work = tempDir();
  });
  afterEach(() => work.remove());

  it("writes an accept, a failure, a delivery and a dead letter as lines a restart reads back", async () => {
    const { journal } = await Journal.open(work.dir);
    for (const n of [1, 2, 3]) await journal.accept(entry(n));
    journal.failed(3, { attempts: 2, lastError: "target answered 503" });
    journal.delivered(1);
    journal.deadLettered(2, "/data/dead/x.json");
    await journal.close();
    const lines = journalLines(work.dir);
    expect(lines.slice(3)).toEqual([
      { t: "f", seq: 3, attempts: 2, lastError: "target answered 503" },
      { t: "d", seq: 1 },
      { t: "d", seq: 2, dead: "/data/dead/x.json" },
    ]);
    expect(lines[0]).toEqual({
      t: "a",
      seq: 1,
      receivedAt: new Date(0).toISOString(),
      method: "POST",
      path: "/p1",
      headers: [["x-n", "1"]],
      eventId: "evt_1",
      event: "order.paid",
      bodyBase64: Buffer.from('{"n":1}').toString("base64"),
    });
    const reopened = await Journal.open(work.dir);
    await reopened.journal.close();
    expect(reopened.pending.toArray().map((ref) => ref.seq)).toEqual([3]);
    expect(reopened.failures.get(3)).toEqual({ attempts: 2, lastError: "target answered 503" });
    expect(reopened.journal.pendingCount).toBe(1);
  });

  it("an entry reads back as it was accepted, from memory or from the file", async () => {
    const first = await Journal.open(work.dir);
    const ref = await first.journal.accept(entry(1, { provider: "stripe", deliveryId: "d1" }));
    const fresh = first.journal.read(ref);
    await first.journal.close();
    const second = await Journal.open(work.dir);
    const fromFile = second.journal.read(second.pending.at(0) as never);
    await second.journal.close();
    for (const e of [fresh, fromFile]) {
      expect({ ...e, body: Buffer.from(e.body).toString() }).toEqual({
        ...entry(1, { provider: "stripe", deliveryId: "d1" }),
        seq: 1,
        body: '{"n":1}',
      });
    }
  });

  it("refuses a read where the file no longer holds that entry", async () => {
    const first = await Journal.open(work.dir);
    for (const n of [1, 2]) await first.journal.accept(entry(n));
    await first.journal.close();
    const { journal, pending } = await Journal.open(work.dir);
    const second = pending.at(1) as { seq: number; offset: number; length: number };
    expect(() => journal.read({ ...second, seq: 1 })).toThrow(
      `outbox entry #1 is no longer readable at byte ${second.offset} of the journal`,
    );
    // Cut short (the file shrank under it), or running into the next line.
    expect(() => journal.read({ ...second, length: second.length - 1 })).toThrow(/#2 is no longer readable/);
    const head = pending.at(0) as typeof second;
    expect(() => journal.read({ ...head, length: head.length + 5 })).toThrow(/#1 is no longer readable/);
    await journal.close();
  });

  it("accepts nothing once closed, and a close waits for the fsync in flight", async () => {
    const { journal } = await Journal.open(work.dir);
    const accepted = journal.accept(entry(1));
    await journal.close();
    await journal.close();
    expect((await accepted).seq).toBe(1);
    await expect(journal.accept(entry(2))).rejects.toThrow("the outbox is closed");
    const reopened = await Journal.open(work.dir);
    await reopened.journal.close();
    expect(reopened.pending.toArray().map((ref) => ref.seq)).toEqual([1]);
  });

  it("a late mark after close writes nothing, not even into a file that took over its descriptor", async () => {
    const { journal } = await Journal.open(work.dir);
    await journal.accept(entry(1));
    await journal.close();
    const size = statSync(join(work.dir, "outbox.ndjson")).size;
    const other = join(work.dir, "other.txt");
    const fd = openSync(other, "a+");
    journal.delivered(1);
    journal.failed(1, { attempts: 1, lastError: "x" });
    closeSync(fd);
    expect(readFileSync(other, "utf8")).toBe("");
    expect(statSync(join(work.dir, "outbox.ndjson")).size).toBe(size);
  });

  it("starts over only when nothing is pending: a pending entry keeps the file", async () => {
    const { journal } = await Journal.open(work.dir, 200);
    for (const n of [1, 2, 3]) await journal.accept(entry(n));
    journal.delivered(1);
    journal.delivered(2);
    await journal.close();
    expect(journalLines(work.dir).map((l) => l.t)).toEqual(["a", "a", "a", "d", "d"]);
    const reopened = await Journal.open(work.dir, 1_000_000);
    await reopened.journal.close();
    expect(reopened.pending.toArray().map((ref) => ref.seq)).toEqual([3]);
  });

  it("after starting over, the next accepts go on with the sequence in the new file", async () => {
    const { journal } = await Journal.open(work.dir, 100);
    for (const n of [1, 2]) await journal.accept(entry(n));
    journal.delivered(1);
    journal.delivered(2);
    expect(journalLines(work.dir)).toEqual([{ t: "h", next: 3 }]);
    const ref = await journal.accept(entry(3));
    expect(journal.read(ref).path).toBe("/p3");
    journal.delivered(3);
    await journal.close();
    const reopened = await Journal.open(work.dir);
    await reopened.journal.close();
    expect(reopened.pending.size).toBe(0);
    const next = await Journal.open(work.dir);
    expect((await next.journal.accept(entry(4))).seq).toBe(4);
    await next.journal.close();
  });

  it("by default starts over once it has grown past 8 MB (docs/listen.md), not before", async () => {
    const { journal } = await Journal.open(work.dir);
    const body = Buffer.alloc(1024 * 1024, 1);
    // 100 KB of history: kept.
    await journal.accept(entry(1, { body: body.subarray(0, 100 * 1024) }));
    journal.delivered(1);
    expect(journalLines(work.dir)).toHaveLength(2);
    // Past 8 MB (a megabyte is 1.4 MB of base64): a header only.
    for (let n = 2; n <= 7; n += 1) await journal.accept(entry(n, { body }));
    for (let n = 2; n <= 6; n += 1) journal.delivered(n);
    expect(journalLines(work.dir)).toHaveLength(13);
    journal.delivered(7);
    await journal.close();
    expect(journalLines(work.dir)).toEqual([{ t: "h", next: 8 }]);
  });
});

describe("the journal on a full disk", () => {
  let work: ReturnType<typeof tempDir>;
  beforeEach(() => {
    work = tempDir();
  });
  afterEach(() => work.remove());

  const big = (n: number) => entry(n, { body: Buffer.alloc(20_000, n) });

  it.skipIf(!HAS_PRLIMIT)(
    "acknowledges nothing it could not write whole, and leaves no torn line",
    async () => {
      const { journal } = await Journal.open(work.dir);
      await journal.accept(big(1));
      journal.failed(1, { attempts: 1, lastError: "target answered 503" });
      const size = statSync(join(work.dir, "outbox.ndjson")).size;
      const refused = withFullDisk(size + 1000, () => journal.accept(big(2)));
      await expect(refused).rejects.toThrow();
      expect(statSync(join(work.dir, "outbox.ndjson")).size).toBe(size);
      expect(journal.pendingCount).toBe(1);
      // Room again: the next one is written and acknowledged.
      const ref = await journal.accept(big(3));
      expect(journal.read(ref).path).toBe("/p3");
      await journal.close();
      const reopened = await Journal.open(work.dir);
      await reopened.journal.close();
      expect(reopened.damaged).toBe(0);
      expect(reopened.pending.toArray().map((r) => r.seq)).toEqual([1, 3]);
    },
  );

  it.skipIf(!HAS_PRLIMIT)("a mark cut short never cuts the accepted line waiting for its fsync", async () => {
    const { journal } = await Journal.open(work.dir);
    await journal.accept(big(1));
    journal.failed(1, { attempts: 1, lastError: "target answered 503" });
    const second = entry(2, { body: Buffer.alloc(300, 2) });
    const end = statSync(join(work.dir, "outbox.ndjson")).size + encodeEntry({ ...second, seq: 2 }).length;
    // Room for #2 and 10 bytes of #1's 17-byte "delivered" mark.
    const acknowledged = withFullDisk(end + 10, () => {
      const pending = journal.accept(second);
      journal.delivered(1);
      return pending;
    });
    expect((await acknowledged).seq).toBe(2);
    expect(statSync(join(work.dir, "outbox.ndjson")).size).toBe(end);
    await journal.close();
    const reopened = await Journal.open(work.dir);
    await reopened.journal.close();
    // #1's mark was lost (one redelivery, never a loss); #2 was acknowledged, so it is there.
    expect(reopened.pending.toArray().map((r) => r.seq)).toEqual([1, 2]);
    expect(reopened.damaged).toBe(0);
  });

  it.skipIf(!HAS_PRLIMIT)(
    "a compaction that does not fit leaves the old journal and no temp file",
    async () => {
      const { journal } = await Journal.open(work.dir);
      for (const n of [1, 2, 3, 4]) await journal.accept(big(n));
      for (const seq of [1, 2, 3]) journal.delivered(seq);
      await journal.close();
      const before = readFileSync(join(work.dir, "outbox.ndjson"));
      await expect(withFullDisk(10_000, () => Journal.open(work.dir, 0))).rejects.toMatchObject({
        code: "EFBIG",
      });
      expect(readFileSync(join(work.dir, "outbox.ndjson")).equals(before)).toBe(true);
      expect(readdirSync(work.dir)).toEqual(["outbox.ndjson"]);
      const reopened = await Journal.open(work.dir);
      await reopened.journal.close();
      expect(reopened.pending.toArray().map((r) => r.seq)).toEqual([4]);
    },
  );

  it.skipIf(!HAS_PRLIMIT)(
    "a delivered mark the disk refuses costs one redelivery, and the journal goes on",
    async () => {
      const { journal } = await Journal.open(work.dir, 100);
      await journal.accept(big(1));
      withFullDisk(10, () => journal.delivered(1));
      const ref = await journal.accept(big(2));
      expect(journal.read(ref).path).toBe("/p2");
      await journal.close();
      const reopened = await Journal.open(work.dir);
      await reopened.journal.close();
      expect(reopened.damaged).toBe(0);
      expect(reopened.pending.toArray().map((r) => r.seq)).toEqual([1, 2]);
    },
  );
});

describe("reading a journal back", () => {
  let work: ReturnType<typeof tempDir>;
  let path: string;
  beforeEach(() => {
    work = tempDir();
    path = join(work.dir, "outbox.ndjson");
  });
  afterEach(() => work.remove());

  it("skips empty lines without counting them as damage", async () => {
    const { journal } = await Journal.open(work.dir);
    await journal.accept(entry(1));
    await journal.close();
    appendFileSync(path, "\n\n");
    const reopened = await Journal.open(work.dir);
    await reopened.journal.accept(entry(2));
    await reopened.journal.close();
    expect(reopened.damaged).toBe(0);
    const last = await Journal.open(work.dir);
    await last.journal.close();
    expect(last.pending.toArray().map((r) => r.seq)).toEqual([1, 2]);
  });

  it("counts every line with one field wrong as damage, and takes the well-formed ones", async () => {
    const a = (fields: Record<string, unknown>) =>
      JSON.stringify({
        t: "a",
        seq: 50,
        bodyBase64: "eA==",
        receivedAt: "2026-01-01T00:00:00.000Z",
        method: "POST",
        path: "/",
        headers: [["a", "b"]],
        ...fields,
      });
    const bad = [
      a({ seq: 0 }),
      a({ seq: 1.5 }),
      a({ seq: "9" }),
      a({ bodyBase64: 1 }),
      a({ receivedAt: 1 }),
      a({ method: undefined }),
      a({ path: 7 }),
      a({ headers: {} }),
      a({ headers: [["a", 1]] }),
      a({ headers: [["a", "b", "c"]] }),
      a({ headers: ["ab"] }),
      a({
        headers: [
          ["a", "b"],
          ["c", 1],
        ],
      }),
      a({ event: 1 }),
      a({ eventId: 1 }),
      a({ deliveryId: 1 }),
      a({ provider: 1 }),
      '{"t":"d","seq":0}',
      '{"t":"d","seq":1,"dead":5}',
      '{"t":"f","seq":1,"attempts":0,"lastError":"x"}',
      '{"t":"f","seq":0,"attempts":1,"lastError":"x"}',
      '{"t":"f","seq":1,"attempts":1}',
      '{"t":"h","next":0}',
      "null",
      "[]",
      "7",
    ];
    const good = [
      a({ seq: 60, event: "e", eventId: "i", deliveryId: "d", provider: "p", headers: [] }),
      a({ seq: 61 }),
      '{"t":"f","seq":61,"attempts":2,"lastError":"x"}',
      '{"t":"d","seq":60,"dead":"f.json"}',
      '{"t":"h","next":70}',
    ];
    appendFileSync(path, `${[...bad, ...good].join("\n")}\n`);
    const { journal, pending, failures, damaged } = await Journal.open(work.dir);
    expect(damaged).toBe(bad.length);
    expect(pending.toArray().map((r) => r.seq)).toEqual([61]);
    expect([...failures]).toEqual([[61, { attempts: 2, lastError: "x" }]]);
    expect((await journal.accept(entry(1))).seq).toBe(70);
    await journal.close();
  });

  it("a file that starts with an empty line is read whole, not taken for a torn one", async () => {
    const line = (seq: number) => encodeEntry({ ...entry(seq), seq });
    appendFileSync(path, `\n${line(1)}${line(2)}`);
    const { journal, pending, damaged } = await Journal.open(work.dir);
    await journal.close();
    expect(damaged).toBe(0);
    expect(pending.toArray().map((r) => r.seq)).toEqual([1, 2]);
  });

  it("a hand-edited file out of order is delivered in sequence order", async () => {
    const line = (seq: number) => encodeEntry({ ...entry(seq), seq });
    appendFileSync(path, [3, 1, 2].map(line).join(""));
    const { journal, pending } = await Journal.open(work.dir);
    expect(pending.toArray().map((r) => r.seq)).toEqual([1, 2, 3]);
    expect(pending.toArray().map((r) => journal.read(r).path)).toEqual(["/p1", "/p2", "/p3"]);
    expect((await journal.accept(entry(9))).seq).toBe(4);
    await journal.close();
  });

  it("a failure of an entry delivered since, or never accepted, is forgotten", async () => {
    const line = (seq: number) => encodeEntry({ ...entry(seq), seq });
    appendFileSync(
      path,
      [
        line(1),
        '{"t":"f","seq":1,"attempts":1,"lastError":"a"}\n',
        '{"t":"d","seq":1}\n',
        '{"t":"f","seq":1,"attempts":2,"lastError":"late"}\n',
        '{"t":"f","seq":8,"attempts":1,"lastError":"b"}\n',
        line(2),
        '{"t":"f","seq":2,"attempts":1,"lastError":"c"}\n',
        '{"t":"f","seq":2,"attempts":2,"lastError":"d"}\n',
      ].join(""),
    );
    const { journal, pending, failures } = await Journal.open(work.dir);
    await journal.close();
    expect(pending.toArray().map((r) => r.seq)).toEqual([2]);
    expect([...failures]).toEqual([[2, { attempts: 2, lastError: "d" }]]);
  });

  it("compacts a long history of lines across many read chunks, keeping every pending entry whole", async () => {
    const { journal } = await Journal.open(work.dir);
    const body = (n: number) => Buffer.from(`${n}:${"y".repeat(400)}`);
    const refs = await Promise.all(
      Array.from({ length: 6000 }, (_, i) => journal.accept(entry(i + 1, { body: body(i + 1) }))),
    );
    for (const ref of refs.slice(0, 3200)) journal.delivered(ref.seq);
    journal.failed(3201, { attempts: 4, lastError: "target answered 500" });
    await journal.close();
    const before = statSync(path).size;
    const reopened = await Journal.open(work.dir, 1024);
    expect(statSync(path).size).toBeLessThan(before / 2);
    expect(reopened.pending.size).toBe(2800);
    expect(reopened.failures.get(3201)).toEqual({ attempts: 4, lastError: "target answered 500" });
    const seqs = reopened.pending.toArray().map((r) => reopened.journal.read(r));
    expect(seqs.map((e) => e.seq)).toEqual(Array.from({ length: 2800 }, (_, i) => 3201 + i));
    expect(seqs.every((e) => Buffer.from(e.body).equals(body(e.seq)))).toBe(true);
    await reopened.journal.close();
    expect(journalLines(work.dir)[0]).toEqual({ t: "h", next: 6001 });
    expect(journalLines(work.dir)).toHaveLength(2802);
    const again = await Journal.open(work.dir);
    await again.journal.close();
    expect(again.pending.size).toBe(2800);
    expect(again.damaged).toBe(0);
  });
});
