import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import Stripe from "stripe";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Journal } from "../../src/deliver/journal.js";
import { acquireDataDirLock } from "../../src/deliver/lock.js";
import { changeOffline, listOffline } from "../../src/deliver/outbox-offline.js";
import { HookError, StartError } from "../../src/errors.js";
import { getProvider } from "../../src/providers/index.js";
import { Target } from "../helpers/target.js";
import { entry, tempDir } from "./helpers.js";

const SECRET = "whsec_offline_test";

type OfflineOptions = Parameters<typeof changeOffline>[1];

describe("hook outbox retry|drop beside no listener", () => {
  let work: ReturnType<typeof tempDir>;
  let target: Target;
  beforeEach(async () => {
    work = tempDir();
    target = await new Target().start();
    const { journal } = await Journal.open(work.dir);
    await journal.accept(entry(1, { receivedAt: new Date(0).toISOString() }));
    await journal.accept(entry(2));
    await journal.close();
  });
  afterEach(async () => {
    await target.close();
    work.remove();
  });

  const options = (more: Partial<OfflineOptions> = {}): OfflineOptions => ({
    dataDir: work.dir,
    forwardTo: new URL(`${target.url}/app`),
    timeoutMs: 5_000,
    giveUpAfterMs: 86_400_000,
    now: () => new Date(60_000),
    env: {},
    ...more,
  });
  const listed = (now: Date) => {
    const reply = listOffline(work.dir, now);
    return reply.ok && reply.op === "list" ? reply.entries : [];
  };
  const pendingSeqs = () => listed(new Date()).map((e) => e.seq);

  it("retry delivers the head once, to --forward-to, and the journal knows", async () => {
    const result = await changeOffline({ op: "retry" }, options());
    expect(result.reply).toEqual({ ok: true, op: "retry", retried: true, pending: 1 });
    expect(target.received.map((q) => q.url)).toEqual(["/app/p1"]);
    expect(result.events).toMatchObject([{ kind: "delivery", record: { seq: 1, ok: true, pending: 1 } }]);
    expect(pendingSeqs()).toEqual([2]);
  });

  it("retry of a failing head records the failure and keeps it first", async () => {
    target.respond = () => ({ status: 500 });
    const result = await changeOffline({ op: "retry" }, options());
    expect(result.reply).toEqual({ ok: true, op: "retry", retried: true, pending: 2 });
    expect(listed(new Date(60_000))[0]).toMatchObject({
      seq: 1,
      attempts: 1,
      lastError: "target answered 500",
    });
  });

  it("retry with nothing pending says so", async () => {
    await changeOffline({ op: "drop", target: "1" }, options());
    await changeOffline({ op: "drop", target: "2" }, options());
    const result = await changeOffline({ op: "retry" }, options());
    expect(result.reply).toEqual({ ok: true, op: "retry", retried: false, pending: 0 });
    expect(target.received).toHaveLength(0);
  });

  it("retry past --give-up-after puts the failing head in dead/", async () => {
    target.respond = () => ({ status: 500 });
    const result = await changeOffline({ op: "retry" }, options({ giveUpAfterMs: 1_000 }));
    expect(result.events.map((e) => e.kind)).toEqual(["delivery", "dead"]);
    expect(readdirSync(join(work.dir, "dead"))).toEqual(["none-order.paid-evt_1.json"]);
    expect(pendingSeqs()).toEqual([2]);
  });

  it("retry signs afresh when it knows the provider and secret: the Stripe SDK accepts it", async () => {
    const dir = join(work.dir, "stripe");
    const { journal } = await Journal.open(dir);
    const payload = '{"id":"evt_s","type":"charge.succeeded"}';
    await journal.accept(
      entry(1, {
        provider: "stripe",
        body: Buffer.from(payload),
        headers: [["stripe-signature", "t=1,v1=00"]],
      }),
    );
    await journal.close();
    const now = new Date();
    await changeOffline(
      { op: "retry" },
      options({ dataDir: dir, provider: getProvider("stripe"), secret: SECRET, now: () => now }),
    );
    const [sent] = target.received;
    const event = Stripe.webhooks.constructEvent(
      sent?.body as Buffer,
      sent?.headers["stripe-signature"] as string,
      SECRET,
    );
    expect(event.id).toBe("evt_s");
  });

  it("retry without --forward-to is a usage error with the way out", async () => {
    const error = await changeOffline({ op: "retry" }, options({ forwardTo: undefined })).catch((e) => e);
    expect(error).toBeInstanceOf(HookError);
    expect(error).toMatchObject({
      message: "outbox retry: no hook listen is running on this data dir",
      exitCode: 2,
      hint: expect.stringContaining("--forward-to URL"),
    });
    expect(target.received).toHaveLength(0);
  });

  it("drop moves the entry to dead/ without sending anything, also with no --forward-to", async () => {
    const result = await changeOffline({ op: "drop", target: "evt_2" }, options({ forwardTo: undefined }));
    expect(result.reply).toEqual({
      ok: true,
      op: "drop",
      seq: 2,
      file: join(work.dir, "dead", "none-order.paid-evt_2.json"),
      pending: 1,
    });
    expect(result.events).toMatchObject([{ kind: "dead", seq: 2, reason: "dropped by the user" }]);
    expect(pendingSeqs()).toEqual([1]);
    expect(target.received).toHaveLength(0);
    const missing = await changeOffline({ op: "drop", target: "9" }, options());
    expect(missing.reply).toEqual({ ok: false, error: "no pending entry 9" });
  });

  it("waits its turn on the data dir's lock: a listener holding it makes it fail to start, and it lets go", async () => {
    const release = acquireDataDirLock(work.dir, "listen.lock", "listen");
    const error = await changeOffline({ op: "drop", target: "1" }, options()).catch((e) => e);
    release();
    expect(error).toBeInstanceOf(StartError);
    expect(error.message).toMatch(
      new RegExp(`^outbox: ${work.dir} is in use by another hook \\(pid ${process.pid}, `),
    );
    expect(error.hint).toBe(
      `stop that one first, or give this one its own --data-dir; if no hook is running, delete ${join(work.dir, "listen.lock")}`,
    );
    expect(pendingSeqs()).toEqual([1, 2]);
    await changeOffline({ op: "drop", target: "1" }, options());
    expect(existsSync(join(work.dir, "listen.lock"))).toBe(false);
    // Released: the next one gets the lock.
    acquireDataDirLock(work.dir, "listen.lock", "listen")();
  });
});
