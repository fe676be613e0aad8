import { appendFileSync, existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { RequestRecord } from "../../src/events/types.js";
import { History } from "../../src/inspect/history.js";
import { HistoryFile } from "../../src/inspect/history-file.js";
import { workDir } from "../listen/helpers.js";

function record(n: number, bodyBytes = 10, extra: Partial<RequestRecord> = {}): RequestRecord {
  return {
    n,
    receivedAt: new Date(Date.UTC(2026, 0, 1, 0, 0, n)),
    method: "POST",
    path: `/hook/${n}`,
    headers: [
      ["Content-Type", "application/json"],
      ["Authorization", "Bearer secret"],
    ],
    body: Buffer.alloc(bodyBytes, 0x61),
    provider: "none",
    outcome: "accepted",
    status: 200,
    latencyMs: 1,
    duplicate: false,
    ...extra,
  };
}

describe("History: bounded in count and bytes", () => {
  it("keeps the newest `count` requests and pages them newest first", () => {
    const history = new History({ count: 3, bytes: 1e9 });
    for (let n = 1; n <= 5; n += 1) history.add(record(n));
    expect(history.size).toBe(3);
    expect(history.page(10).map((e) => e.record.n)).toEqual([5, 4, 3]);
    expect(history.page(1, 5).map((e) => e.record.n)).toEqual([4]);
    expect(history.after(3).map((e) => e.record.n)).toEqual([4, 5]);
    expect(history.get(2)).toBeUndefined();
  });

  it("drops the oldest when the bodies pass the byte limit, and stays flat over a long session", () => {
    const history = new History({ count: 1_000, bytes: 100_000 });
    for (let n = 1; n <= 20_000; n += 1) {
      history.add(
        record(n, 4_000, {
          response: { status: 200, headers: [], body: Buffer.alloc(1_000), truncated: false },
        }),
      );
    }
    expect(history.bytes).toBeLessThanOrEqual(100_000);
    expect(history.size).toBe(Math.floor(100_000 / (4_000 + 1_000 + 512)));
    expect(history.page(1)[0]?.record.n).toBe(20_000);
  });

  it("copies a body that is a small view of a large buffer, so the history does not keep the buffer alive", () => {
    const big = Buffer.alloc(1_000_000);
    const view = big.subarray(10, 20);
    const history = new History();
    const entry = history.add(record(1, 0, { body: view }));
    expect(entry.record.body.buffer.byteLength).toBeLessThan(1_000);
  });

  it("files durable delivery attempts under their request", () => {
    const history = new History();
    history.add(record(7, 5, { seq: 42, outcome: "queued", status: 202 }));
    const attempt = {
      seq: 42,
      attempt: 1,
      ok: false,
      status: 503,
      latencyMs: 3,
      retryInMs: 1000,
      pending: 1,
    };
    expect(history.attach(attempt)?.record.n).toBe(7);
    expect(history.get(7)?.deliveries).toEqual([attempt]);
    expect(history.attach({ ...attempt, seq: 99 })).toBeUndefined();
  });
});

describe("HistoryFile: the history on disk", () => {
  let work: ReturnType<typeof workDir>;
  beforeEach(() => {
    work = workDir();
  });
  afterEach(() => work.remove());

  it("round-trips records (exact bytes, the answer, attempts) with secrets redacted; a torn line is skipped", async () => {
    const first = new History();
    const { file } = await HistoryFile.open(work.dir, first);
    const binary = Buffer.from([0xff, 0x00, 0xfe]);
    file.record(
      record(1, 0, {
        body: binary,
        seq: 5,
        response: {
          status: 201,
          headers: [["Set-Cookie", "a=b"]],
          body: Buffer.from("ok"),
          truncated: false,
        },
      }),
    );
    file.delivery(1, { seq: 5, attempt: 1, ok: true, status: 200, latencyMs: 2, pending: 0 });
    file.record(record(2));
    await file.close();
    appendFileSync(file.path, '{"t":"r","n":3,"method":"PO');

    const second = new History();
    const reopened = await HistoryFile.open(work.dir, second);
    await reopened.file.close();
    expect(reopened.damaged).toBe(1);
    expect(reopened.lastNumber).toBe(2);
    const one = second.get(1);
    expect(one?.earlier).toBe(true);
    expect(Buffer.from(one?.record.body ?? []).equals(binary)).toBe(true);
    expect(one?.record.headers).toContainEqual(["authorization", "[redacted]"]);
    expect(one?.record.response?.headers).toContainEqual(["set-cookie", "[redacted]"]);
    expect(one?.record.receivedAt.toISOString()).toBe("2026-01-01T00:00:01.000Z");
    expect(one?.deliveries).toMatchObject([{ seq: 5, ok: true }]);
    expect(readFileSync(file.path, "utf8")).not.toContain("Bearer secret");
  });

  it("turns the current file into the previous one at the limit: the disk holds at most twice the limits", async () => {
    const limits = { count: 3, bytes: 1e9 };
    const { file } = await HistoryFile.open(work.dir, new History(limits));
    for (let n = 1; n <= 3; n += 1) file.record(record(n));
    await file.flush();
    file.record(record(4));
    await file.close();
    const previous = join(work.dir, "inspect", "history.1.ndjson");
    expect(existsSync(previous)).toBe(true);
    expect(readFileSync(previous, "utf8").trim().split("\n")).toHaveLength(3);
    expect(readFileSync(file.path, "utf8").trim().split("\n")).toHaveLength(1);

    const history = new History(limits);
    const reopened = await HistoryFile.open(work.dir, history);
    await reopened.file.close();
    expect(history.page(10).map((e) => e.record.n)).toEqual([4, 3, 2]);
  });
});
