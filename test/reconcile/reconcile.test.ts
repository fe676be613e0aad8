import { afterEach, describe, expect, it } from "vitest";
import { CliProcess, runCli } from "../helpers/cli.js";
import type { Target } from "../helpers/target.js";
import { type Listening, SECRET, startListen, stripeHeader, waitForLines } from "../listen/helpers.js";
import type { StripeEventLike } from "../poll/helpers/fake-stripe-api.js";
import { API_KEY, FakeStripeEvents, idsReceived, reconcileSetup, webhookBody } from "./helpers.js";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const step of cleanups.splice(0).reverse()) await step();
});

async function setup() {
  return reconcileSetup(cleanups, await new FakeStripeEvents().start());
}

function reconcileArgs(api: FakeStripeEvents, app: Target, extra: string[] = []): string[] {
  return [
    "--provider",
    "stripe",
    "--secret",
    SECRET,
    "-f",
    app.url,
    "--reconcile",
    "--api-key",
    API_KEY,
    "--api-base",
    api.url,
    ...extra,
  ];
}

async function listen(args: string[], cwd: string): Promise<Listening> {
  const l = await startListen(args, { cwd });
  cleanups.push(async () => {
    await l.proc.stop("SIGKILL");
  });
  return l;
}

function sendWebhook(l: Listening, body: string) {
  return fetch(`${l.url}/`, {
    method: "POST",
    headers: { "content-type": "application/json; charset=utf-8", "stripe-signature": stripeHeader(body) },
    body,
  });
}

function duplicatesOf(ids: string[]): string[] {
  return ids.filter((id, i) => ids.indexOf(id) !== i);
}

describe("hook listen --reconcile (Stripe)", () => {
  it("100 events, 10 webhooks dropped and 5 of those arriving late: the app gets all 100 exactly once", async () => {
    const { api, app, work } = await setup();
    const l = await listen(reconcileArgs(api, app, ["--every", "300ms", "--since", "all"]), work.dir);
    const dropped = new Set([3, 12, 25, 38, 44, 51, 67, 72, 88, 99]);
    const events: StripeEventLike[] = [];
    for (let i = 0; i < 100; i += 1) {
      const [event] = api.add(1);
      if (!event) throw new Error("no event");
      events.push(event);
      if (dropped.has(i)) continue;
      const res = await sendWebhook(l, webhookBody(event));
      expect(res.status).toBe(200);
    }
    await app.waitFor(100, 30_000);
    const late = [...dropped].slice(0, 5).map((i) => events[i]);
    for (const event of late) {
      if (!event) continue;
      const res = await sendWebhook(l, webhookBody(event));
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ ok: true, duplicate: true });
    }
    // Two more passes after the late arrivals: nothing left for them to deliver.
    const passes = (await waitForLines(l.proc, "reconcile", 1)).length;
    const idle = (await waitForLines(l.proc, "reconcile", passes + 2)).slice(-2);
    // Nothing missed: one list call a pass (288 a day at --every 5m).
    expect(idle.map((p) => [p.calls, p.delivered])).toEqual([
      [1, 0],
      [1, 0],
    ]);
    const ids = idsReceived(app.received.map((r) => r.body));
    expect(duplicatesOf(ids)).toEqual([]);
    expect(new Set(ids)).toEqual(new Set(events.map((e) => e.id)));
    const requests = await waitForLines(l.proc, "request", 105);
    const lateLines = requests.filter((r) => r.outcome === "already-delivered");
    // The 5 late ones, and any webhook a pass happened to beat.
    for (const event of late) expect(lateLines.map((r) => r.id)).toContain(event?.id);
    expect(lateLines.every((r) => r.duplicate === true && r.status === 200)).toBe(true);
    const reconciled = requests.filter((r) => r.reconciled === true && r.outcome === "forwarded");
    // Every dropped event came by reconciliation (a pass may also beat a webhook to some others).
    for (const i of dropped) expect(reconciled.map((r) => r.id)).toContain(events[i]?.id);
  }, 60_000);

  it("kill -9 in the middle of a catch-up loses nothing and repeats at most the delivery in flight", async () => {
    const { api, app, work } = await setup();
    const events = api.add(100);
    let first: Listening | undefined;
    app.respond = () => {
      // The app has the 50th event; hook dies before it hears the 200.
      if (app.received.length === 49) first?.proc.child.kill("SIGKILL");
      return { status: 200, body: "ok" };
    };
    first = await listen(reconcileArgs(api, app, ["--every", "1h", "--since", "all"]), work.dir);
    await first.proc.exited;
    expect(app.received.length).toBeLessThan(100);
    app.respond = () => ({ status: 200, body: "ok" });
    const second = await listen(reconcileArgs(api, app, ["--every", "1h"]), work.dir);
    const last = events.at(-1)?.id;
    await waitForLines(second.proc, "request", 1, 30_000, (r) => r.id === last);
    const ids = idsReceived(app.received.map((r) => r.body));
    expect(new Set(ids)).toEqual(new Set(events.map((e) => e.id)));
    expect(duplicatesOf(ids).length).toBeLessThanOrEqual(1);
    // Oldest first across both runs, as poll delivers.
    expect([...new Set(ids)]).toEqual(events.map((e) => e.id));
  }, 60_000);

  it("catches up at start from its state: events that happened while hook was not running", async () => {
    const { api, app, work } = await setup();
    api.add(3);
    const first = await listen(reconcileArgs(api, app, ["--every", "1h"]), work.dir);
    // First run without --since: from now, nothing old is delivered.
    await waitForLines(first.proc, "reconcile", 1);
    expect((await first.proc.stop("SIGINT")).code).toBe(130);
    expect(app.received.length).toBe(0);
    const missed = api.add(4);
    await listen(reconcileArgs(api, app, ["--every", "1h"]), work.dir);
    await app.waitFor(4);
    expect(idsReceived(app.received.map((r) => r.body))).toEqual(missed.map((e) => e.id));
  }, 30_000);

  it("--durable: a missed event goes through the outbox like a webhook; its late webhook is not queued", async () => {
    const { api, app, work } = await setup();
    const l = await listen(
      reconcileArgs(api, app, ["--durable", "--every", "300ms", "--since", "all"]),
      work.dir,
    );
    const [missed] = api.add(1);
    if (!missed) throw new Error("no event");
    const [queued] = await waitForLines(l.proc, "request", 1, 10_000, (r) => r.id === missed.id);
    expect(queued).toMatchObject({ outcome: "queued", reconciled: true, status: 202 });
    await waitForLines(l.proc, "delivery", 1, 10_000, (d) => d.eventId === missed.id && d.ok === true);
    const late = await sendWebhook(l, webhookBody(missed));
    expect(late.status).toBe(200);
    const [line] = await waitForLines(l.proc, "request", 2);
    expect(line?.reconciled).toBe(true);
    const lines = await waitForLines(l.proc, "request", 2);
    expect(lines[1]).toMatchObject({ outcome: "already-delivered", duplicate: true, reconciled: false });
    expect(idsReceived(app.received.map((r) => r.body))).toEqual([missed.id]);
  }, 30_000);

  it("the terminal line says reconciled, and the pass says how many it brought", async () => {
    const { api, app, work } = await setup();
    api.add(2);
    const args = ["listen", "--no-tunnel", "--port", "0", ...reconcileArgs(api, app, ["--since", "all"])];
    const proc = new CliProcess(args, { cwd: work.dir });
    cleanups.push(async () => {
      await proc.stop("SIGKILL");
    });
    await proc.waitFor(/reconcile: 2 event\(s\) no webhook brought were delivered/);
    expect(proc.stderr).toContain("       reconciling with the Stripe API every 5m\n");
    expect(proc.stderr).toMatch(
      /POST \/ {2}payment_intent\.succeeded evt_000000x0 {2}verified {2}-> 200 reconciled/,
    );
  }, 30_000);

  it("a second listen reconciling the same source in the same data dir stops with exit 75", async () => {
    const { api, app, work } = await setup();
    await listen(reconcileArgs(api, app, ["--every", "1h"]), work.dir);
    const second = await runCli(["listen", "--no-tunnel", "--port", "0", ...reconcileArgs(api, app)], {
      cwd: work.dir,
    });
    expect(second.code).toBe(75);
    expect(second.stderr).toMatch(/another hook is reconciling this source \(pid \d+/);
  }, 30_000);

  it("a webhook the app refused is not counted as delivered: the next pass brings it", async () => {
    const { api, app, work } = await setup();
    const l = await listen(reconcileArgs(api, app, ["--every", "300ms", "--since", "all"]), work.dir);
    await waitForLines(l.proc, "reconcile", 1);
    let refuse = true;
    app.respond = () => (refuse ? { status: 500, body: "db down" } : { status: 200, body: "ok" });
    const [event] = api.add(1);
    if (!event) throw new Error("no event");
    // The pass that runs while the app is down fails too and keeps its cursor.
    expect((await sendWebhook(l, webhookBody(event))).status).toBe(500);
    refuse = false;
    const [line] = await waitForLines(l.proc, "request", 1, 10_000, (r) => r.reconciled === true);
    expect(line).toMatchObject({ id: event.id, outcome: "forwarded", targetStatus: 200 });
    const ok = app.received.filter((r) => r.body.toString() === webhookBody(event));
    expect(ok.length).toBeGreaterThanOrEqual(2);
  }, 30_000);

  it("Ctrl-C while the app sits on a reconciled delivery: exit 130, and the event comes again next start", async () => {
    const { api, app, work } = await setup();
    const [event] = api.add(1);
    let reached: () => void = () => undefined;
    const inFlight = new Promise<void>((resolve) => {
      reached = resolve;
    });
    app.respond = () => {
      reached();
      return new Promise(() => undefined);
    };
    const args = reconcileArgs(api, app, ["--since", "all", "--timeout", "1h"]);
    const first = await listen(args, work.dir);
    await inFlight;
    expect((await first.proc.stop("SIGINT")).code).toBe(130);
    app.respond = () => ({ status: 200, body: "ok" });
    const second = await listen(reconcileArgs(api, app), work.dir);
    const [line] = await waitForLines(second.proc, "request", 1, 10_000, (r) => r.reconciled === true);
    expect(line).toMatchObject({ id: event?.id, targetStatus: 200 });
  }, 30_000);
});
