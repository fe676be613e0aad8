import { readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Journal } from "../../src/deliver/journal.js";
import { readFixtureFile } from "../../src/store/fixture-reader.js";
import { Target } from "../helpers/target.js";
import { entry, outboxFor, type Running, tempDir, until } from "./helpers.js";

describe("the outbox worker", () => {
  let work: ReturnType<typeof tempDir>;
  let target: Target;
  let running: Running | undefined;
  beforeEach(async () => {
    work = tempDir();
    target = await new Target().start();
  });
  afterEach(async () => {
    await running?.close();
    running = undefined;
    await target.close();
    work.remove();
  });

  const start = async (options: Parameters<typeof outboxFor>[2] = {}) => {
    running = await outboxFor(work.dir, target, options);
    return running;
  };
  const accept = async (r: Running, n: number, more = {}) => {
    const ref = await r.journal.accept(entry(n, more));
    r.outbox.enqueue(ref);
    return ref;
  };
  const reopen = async () => {
    await running?.close();
    running = undefined;
    const opened = await Journal.open(work.dir);
    await opened.journal.close();
    return opened;
  };

  it("wakes when idle, delivers in arrival order, each once, and the journal forgets what went", async () => {
    const r = await start();
    r.outbox.start();
    // Each arrives at an idle worker, which must wake for it.
    for (const n of [1, 2, 3]) {
      await accept(r, n);
      await until(`delivery ${n}`, () => r.records().length === n);
    }
    expect(target.received.map((q) => [q.url, q.body.toString(), q.headers["x-n"]])).toEqual([
      ["/p1", '{"n":1}', "1"],
      ["/p2", '{"n":2}', "2"],
      ["/p3", '{"n":3}', "3"],
    ]);
    expect(r.records().map(({ latencyMs: _, ...rest }) => rest)).toEqual(
      [1, 2, 3].map((seq) => ({
        seq,
        attempt: 1,
        ok: true,
        status: 200,
        error: undefined,
        retryInMs: undefined,
        pending: 0,
        event: "order.paid",
        eventId: `evt_${seq}`,
      })),
    );
    expect(r.outbox.pending).toBe(0);
    expect((await reopen()).pending.size).toBe(0);
  });

  it("resumes what a previous run left pending", async () => {
    const first = await Journal.open(work.dir);
    for (const n of [1, 2]) await first.journal.accept(entry(n));
    await first.journal.close();
    const r = await start();
    expect(r.outbox.pending).toBe(2);
    r.outbox.start();
    await until("two deliveries", () => r.records().length === 2);
    expect(target.received.map((q) => q.url)).toEqual(["/p1", "/p2"]);
    expect(r.records().map((d) => [d.seq, d.pending])).toEqual([
      [1, 1],
      [2, 0],
    ]);
  });

  it("holds the line on a failing head, retrying on the schedule whose last step repeats", async () => {
    let calls = 0;
    target.respond = () => ({ status: ++calls <= 3 ? 503 : 200 });
    const r = await start({ schedule: [20, 40] });
    await accept(r, 1);
    await accept(r, 2);
    r.outbox.start();
    await until("both delivered", () => r.records().filter((d) => d.ok).length === 2);
    expect(target.received.map((q) => q.url)).toEqual(["/p1", "/p1", "/p1", "/p1", "/p2"]);
    expect(r.records().map((d) => [d.seq, d.attempt, d.ok, d.status, d.retryInMs, d.pending])).toEqual([
      [1, 1, false, 503, 20, 2],
      [1, 2, false, 503, 40, 2],
      [1, 3, false, 503, 40, 2],
      [1, 4, true, 200, undefined, 1],
      [2, 1, true, 200, undefined, 0],
    ]);
  });

  it("counts only a 2xx as delivered: 204 and 299 go, 300 and 404 are retried", async () => {
    const statuses = [204, 300, 404, 299];
    target.respond = () => ({ status: statuses.shift() ?? 500 });
    const r = await start({ schedule: [1] });
    await accept(r, 1);
    await accept(r, 2);
    r.outbox.start();
    await until("both delivered", () => r.records().filter((d) => d.ok).length === 2);
    expect(r.records().map((d) => [d.seq, d.status, d.ok])).toEqual([
      [1, 204, true],
      [2, 300, false],
      [2, 404, false],
      [2, 299, true],
    ]);
  });

  it("journals each failure, so a restart and the list know how often and why", async () => {
    target.respond = () => ({ status: 503 });
    const r = await start({ schedule: [1] });
    await accept(r, 1);
    await accept(r, 2);
    r.outbox.start();
    await until("three attempts", () => r.records().length >= 3);
    await r.outbox.stop(1_000);
    const attempts = r.records().length;
    expect(await r.outbox.list()).toEqual([
      {
        seq: 1,
        event: "order.paid",
        eventId: "evt_1",
        attempts,
        receivedAt: new Date(0).toISOString(),
        ageMs: 60_000,
        lastError: "target answered 503",
      },
      {
        seq: 2,
        event: "order.paid",
        eventId: "evt_2",
        attempts: 0,
        receivedAt: new Date(0).toISOString(),
        ageMs: 60_000,
        lastError: undefined,
      },
    ]);
    expect((await r.outbox.list(1)).map((e) => e.seq)).toEqual([1]);
    expect((await r.outbox.list(0)).map((e) => e.seq)).toEqual([]);
    const opened = await reopen();
    expect(opened.pending.toArray().map((ref) => ref.seq)).toEqual([1, 2]);
    expect([...opened.failures]).toEqual([[1, { attempts, lastError: "target answered 503" }]]);
  });

  it("a long list lets the listener go on working while it is read", async () => {
    const r = await start();
    await Promise.all(Array.from({ length: 600 }, (_, i) => accept(r, i + 1)));
    let served = false;
    setImmediate(() => {
      served = true;
    });
    const list = await r.outbox.list();
    expect(served).toBe(true);
    expect(list.map((e) => e.seq)).toEqual(Array.from({ length: 600 }, (_, i) => i + 1));
  });

  it("an entry stamped later than the clock (a clock step back) is listed as 0 ms old", async () => {
    const r = await start({ now: () => new Date(0) });
    await accept(r, 1, { receivedAt: new Date(5_000).toISOString() });
    expect((await r.outbox.list())[0]?.ageMs).toBe(0);
  });

  it("the worker giving up and the user dropping the same entry at once make one fixture", async () => {
    target.respond = () => ({ status: 500, delayMs: 100 });
    const r = await start({ giveUpAfterMs: 1 });
    await accept(r, 1);
    r.outbox.start();
    await new Promise((resolve) => setTimeout(resolve, 30));
    const dropped = await r.outbox.drop("1");
    await until("the dead letter", () => r.events.some((e) => e.kind === "dead"));
    expect(dropped).toBeUndefined();
    expect(readdirSync(join(work.dir, "dead"))).toEqual(["none-order.paid-evt_1.json"]);
    expect(r.events.filter((e) => e.kind === "dead")).toHaveLength(1);
  });

  it("a target that is down: the attempt's error in words, no status", async () => {
    const down = new URL(`http://127.0.0.1:${await Target.freePort()}`);
    running = await outboxFor(work.dir, down, { schedule: [60_000] });
    const r = running;
    await accept(r, 1);
    r.outbox.start();
    await until("an attempt", () => r.records().length === 1);
    const [record] = r.records();
    expect(record).toMatchObject({ ok: false, status: undefined, retryInMs: 60_000 });
    expect(record?.error).toMatch(/^connection refused by 127\.0\.0\.1:\d+/);
    expect((await r.outbox.list())[0]?.lastError).toBe(record?.error);
  });

  it("gives up past --give-up-after: the entry goes to dead/ as a fixture and the rest flows", async () => {
    target.respond = (q) => ({ status: q.url === "/p1" ? 500 : 200 });
    const r = await start({ giveUpAfterMs: 60_000, schedule: [60_000] });
    await accept(r, 1, { provider: "stripe", deliveryId: "dlv_1", headers: [["Stripe-Signature", "t=1"]] });
    await accept(r, 2);
    r.outbox.start();
    await until("the second delivered", () => r.records().some((d) => d.seq === 2));
    expect(r.records().map((d) => [d.seq, d.ok, d.retryInMs])).toEqual([
      [1, false, undefined],
      [2, true, undefined],
    ]);
    const dead = r.events.find((e) => e.kind === "dead");
    const files = readdirSync(join(work.dir, "dead"));
    expect(files).toEqual(["stripe-order.paid-evt_1.json"]);
    expect(dead).toEqual({
      kind: "dead",
      seq: 1,
      event: "order.paid",
      eventId: "evt_1",
      file: join(work.dir, "dead", files[0] as string),
      reason: "still failing after 1m (--give-up-after)",
      pending: 1,
    });
    const fixture = readFixtureFile(join(work.dir, "dead", files[0] as string), work.dir);
    expect(fixture).toMatchObject({
      provider: "stripe",
      event: "order.paid",
      id: "evt_1",
      method: "POST",
      path: "/p1",
      headers: { "stripe-signature": "t=1" },
    });
    expect(Buffer.from((fixture as { body: Uint8Array }).body).toString()).toBe('{"n":1}');
    expect((await reopen()).pending.size).toBe(0);
  });

  it("keeps retrying an entry that cannot go to dead/, and says why", async () => {
    target.respond = () => ({ status: 500 });
    writeFileSync(join(work.dir, "dead"), "a file where the folder should be");
    const r = await start({ giveUpAfterMs: 1, schedule: [60_000] });
    await accept(r, 1);
    r.outbox.start();
    await until("a warning", () => r.warnings().length === 1);
    expect(r.warnings()[0]).toMatch(/^outbox #1 could not go to dead\/: /);
    expect(r.records()[0]?.retryInMs).toBeUndefined();
    // It waits the schedule before trying again, rather than hammering the target.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(r.records()).toHaveLength(1);
    expect(r.outbox.retryNow()).toBe(true);
    await until("the second warning", () => r.warnings().length === 2);
    expect(r.outbox.pending).toBe(1);
    expect(r.events.some((e) => e.kind === "dead")).toBe(false);
  });

  it("an entry that cannot be read back holds the line with a warning", async () => {
    const first = await Journal.open(work.dir);
    await first.journal.accept(entry(1));
    await first.journal.close();
    const r = await start({ schedule: [5, 60_000] });
    writeFileSync(join(work.dir, "outbox.ndjson"), "");
    r.outbox.start();
    await until("a warning", () => r.warnings().length > 0);
    expect(r.warnings()[0]).toBe("outbox #1: outbox entry #1 is no longer readable at byte 0 of the journal");
    // It waits the schedule's last step before trying again, so only one warning comes.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(r.warnings()).toHaveLength(1);
    expect(target.received).toHaveLength(0);
    expect(r.outbox.pending).toBe(1);
  });
  it("warns once when a head sent with its original signature outlives the provider's window", async () => {
    target.respond = () => ({ status: 503 });
    // Each attempt is a millisecond later: exactly 5 minutes old is still inside Stripe's window.
    let clock = 300_000 - 1;
    const r = await start({ schedule: [1], now: () => new Date(clock++) });
    await accept(r, 1, { headers: [["stripe-signature", "t=0,v1=00"]] });
    r.outbox.start();
    await until("four attempts", () => r.records().length >= 4);
    expect(r.warnings()).toEqual([
      "outbox #1 waited 5m, past stripe's 5m window: an app that checks the signed timestamp will reject it. Give listen --provider stripe and its --secret so each attempt is signed afresh, or drop it (hook outbox drop 1)",
    ]);
    expect(r.events.findIndex((e) => e.kind === "warning")).toBe(3);
  });
});

describe("steering the outbox (hook outbox retry|drop)", () => {
  let work: ReturnType<typeof tempDir>;
  let target: Target;
  let running: Running | undefined;
  beforeEach(async () => {
    work = tempDir();
    target = await new Target().start();
  });
  afterEach(async () => {
    await running?.close();
    running = undefined;
    await target.close();
    work.remove();
  });

  const withPending = async (count: number, options: Parameters<typeof outboxFor>[2] = {}) => {
    running = await outboxFor(work.dir, target, options);
    for (let n = 1; n <= count; n += 1) running.outbox.enqueue(await running.journal.accept(entry(n)));
    return running;
  };

  it("retry now: tries a failing head at once instead of after the schedule's wait", async () => {
    let calls = 0;
    target.respond = () => ({ status: ++calls === 1 ? 503 : 200 });
    const r = await withPending(1);
    r.outbox.start();
    await until("the first attempt", () => r.records().length === 1);
    expect(r.records()[0]?.retryInMs).toBe(60_000);
    expect(r.outbox.retryNow()).toBe(true);
    await until("the second attempt", () => r.records().length === 2);
    expect(r.records()[1]).toMatchObject({ attempt: 2, ok: true });
    expect(r.outbox.retryNow()).toBe(false);
  });

  it("a wait cut short by retry now does not later cut the next wait short", async () => {
    target.respond = () => ({ status: 503 });
    const r = await withPending(1, { schedule: [150, 60_000] });
    r.outbox.start();
    await until("the first attempt", () => r.records().length === 1);
    r.outbox.retryNow();
    await until("the second attempt", () => r.records().length === 2);
    // The first wait's timer is gone: nothing wakes the worker before the 60 s of the second.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(r.records()).toHaveLength(2);
  });

  it("a drop and a retry at once: the dropped head's attempt does not take the next entry with it", async () => {
    target.respond = (q) => (q.url === "/p1" ? { status: 503, delayMs: 100 } : { status: 200 });
    const r = await withPending(2);
    r.outbox.start();
    await until("the head's first attempt", () => r.records().length === 1);
    // The retried attempt at #1 is answered only once the drop has taken #1 off the queue.
    let answer: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      answer = resolve;
    });
    target.respond = async (q) => {
      if (q.url === "/p1") await gate;
      return { status: 200 };
    };
    const dropped = r.outbox.drop("1");
    r.outbox.retryNow();
    expect((await dropped)?.seq).toBe(1);
    answer();
    await until("the second delivered", () => r.records().some((d) => d.seq === 2 && d.ok));
    expect(r.records().filter((d) => d.seq === 1)).toHaveLength(1);
    expect(r.outbox.pending).toBe(0);
    await running?.close();
    running = undefined;
    const opened = await Journal.open(work.dir);
    await opened.journal.close();
    expect(opened.pending.size).toBe(0);
  });

  it("stop waits for the attempt in flight no longer than its grace", async () => {
    target.respond = () => ({ status: 200, delayMs: 1_500 });
    const r = await withPending(1);
    r.outbox.start();
    await new Promise((resolve) => setTimeout(resolve, 30));
    await r.outbox.stop(50);
    expect(target.received).toHaveLength(0);
    expect(r.records()).toEqual([]);
  });

  it("one attempt at the head from a process with no worker; none when empty or when a worker runs", async () => {
    target.respond = () => ({ status: 503 });
    running = await outboxFor(work.dir, target);
    const r = running;
    expect(await r.outbox.attemptHead()).toBe(false);
    r.outbox.enqueue(await r.journal.accept(entry(1)));
    expect(await r.outbox.attemptHead()).toBe(true);
    expect(target.received).toHaveLength(1);
    expect(r.records()).toMatchObject([{ seq: 1, attempt: 1, ok: false, status: 503 }]);
    r.outbox.start();
    await until("the worker's attempt", () => r.records().length === 2);
    expect(await r.outbox.attemptHead()).toBe(false);
    expect(target.received).toHaveLength(2);
  });

  it("drops by sequence number or event id into dead/; an unknown one is undefined", async () => {
    target.respond = () => ({ status: 503 });
    const r = await withPending(4);
    expect(await r.outbox.drop("9")).toBeUndefined();
    expect(await r.outbox.drop("evt_9")).toBeUndefined();
    const bySeq = await r.outbox.drop("2");
    const byNumber = await r.outbox.drop(3);
    const byId = await r.outbox.drop("evt_4");
    expect([bySeq?.seq, byNumber?.seq, byId?.seq]).toEqual([2, 3, 4]);
    expect(bySeq?.file).toBe(join(work.dir, "dead", "none-order.paid-evt_2.json"));
    expect(readdirSync(join(work.dir, "dead")).sort()).toEqual([
      "none-order.paid-evt_2.json",
      "none-order.paid-evt_3.json",
      "none-order.paid-evt_4.json",
    ]);
    const dead = r.events.filter((e) => e.kind === "dead");
    expect(dead.map((e) => e.kind === "dead" && [e.seq, e.reason, e.pending])).toEqual([
      [2, "dropped by the user", 3],
      [3, "dropped by the user", 2],
      [4, "dropped by the user", 1],
    ]);
    expect(await r.outbox.drop("2")).toBeUndefined();
    expect(r.outbox.pending).toBe(1);
    await running?.close();
    running = undefined;
    const opened = await Journal.open(work.dir);
    await opened.journal.close();
    expect(opened.pending.toArray().map((ref) => ref.seq)).toEqual([1]);
  });

  it("dropping the head lets the next go without waiting out the schedule", async () => {
    target.respond = (q) => ({ status: q.url === "/p1" ? 503 : 200 });
    const r = await withPending(2);
    r.outbox.start();
    await until("the head's attempt", () => r.records().length === 1);
    expect((await r.outbox.drop("1"))?.seq).toBe(1);
    await until("the next delivered", () => r.records().length === 2);
    expect(r.records()[1]).toMatchObject({ seq: 2, ok: true, pending: 0 });
  });

  it("dropping the head while it is being delivered waits for that attempt: delivered, not dropped", async () => {
    target.respond = () => ({ status: 200, delayMs: 150 });
    const r = await withPending(1);
    r.outbox.start();
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(await r.outbox.drop("1")).toBeUndefined();
    expect(r.records()).toMatchObject([{ seq: 1, ok: true }]);
    expect(r.events.some((e) => e.kind === "dead")).toBe(false);
  });

  it("stopping mid-attempt: a failure is not counted and the entry stays for the next start", async () => {
    target.respond = () => ({ status: 503, delayMs: 150 });
    const r = await withPending(1);
    r.outbox.start();
    await new Promise((resolve) => setTimeout(resolve, 30));
    await r.outbox.stop(5_000);
    expect(target.received).toHaveLength(1);
    expect(r.records()).toEqual([]);
    await running?.close();
    running = undefined;
    const opened = await Journal.open(work.dir);
    await opened.journal.close();
    expect(opened.pending.size).toBe(1);
    expect(opened.failures.size).toBe(0);
  });

  it("stopping mid-attempt: a delivery that succeeds still counts", async () => {
    target.respond = () => ({ status: 200, delayMs: 150 });
    const r = await withPending(2);
    r.outbox.start();
    await new Promise((resolve) => setTimeout(resolve, 30));
    await r.outbox.stop(5_000);
    expect(r.records()).toMatchObject([{ seq: 1, ok: true, pending: 1 }]);
    expect(target.received).toHaveLength(1);
    await running?.close();
    running = undefined;
    const opened = await Journal.open(work.dir);
    await opened.journal.close();
    expect(opened.pending.toArray().map((ref) => ref.seq)).toEqual([2]);
  });
});
