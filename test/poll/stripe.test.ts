import Stripe from "stripe";
import { describe, expect, it } from "vitest";
import { HookError } from "../../src/errors.js";
import { stripeSource } from "../../src/poll/stripe.js";
import { stripe } from "../../src/providers/stripe.js";
import { Target } from "../helpers/target.js";
import { FakeStripeApi } from "./helpers/fake-stripe-api.js";
import { onePass, withPollServers } from "./helpers/run-pass.js";

const SECRET = "whsec_poll_test_secret";

describe("poll stripe", () => {
  let api: FakeStripeApi;
  let target: Target;
  let statePath: string;

  withPollServers(
    () => new FakeStripeApi().start(),
    "stripe-events.json",
    (s) => {
      ({ api, target, statePath } = s);
    },
  );

  type Extra = {
    since?: Date | "all";
    wanted?: (t: string | undefined) => boolean;
    maxWaitMs?: number;
    key?: string;
    timeoutMs?: number;
  };
  const run = ({ key, ...extra }: Extra = {}) =>
    onePass({
      provider: "stripe",
      source: stripeSource({
        apiBase: api.url,
        spoolPath: () => `${statePath}.spool`,
        sign: (body) => stripe.sign({ body, secret: SECRET, timestamp: new Date() }),
      }),
      statePath,
      target: `${target.url}/webhooks`,
      headers: { authorization: `Bearer ${key ?? api.key}` },
      ...extra,
    });

  const deliveredIds = () =>
    target.received.map((r) => (JSON.parse(r.body.toString("utf8")) as { id: string }).id);

  it("backfills 250 events oldest first in at most 5 API calls, each verifiable with stripe-node", async () => {
    const events = api.add(250);
    const { result, calls } = await run({ since: "all" });
    expect(result.delivered).toBe(250);
    expect(calls).toBeLessThanOrEqual(5);
    expect(deliveredIds()).toEqual(events.map((e) => e.id));
    for (const request of target.received) {
      const header = String(request.headers["stripe-signature"]);
      const event = Stripe.webhooks.constructEvent(request.body.toString("utf8"), header, SECRET);
      expect(event.object).toBe("event");
      expect(request.headers["content-type"]).toBe("application/json; charset=utf-8");
      expect(request.headers["user-agent"]).toMatch(/^Stripe\/1\.0/);
    }
    // The exact body: the event as listed, two-space indented like Stripe's webhooks.
    expect(target.received[0]?.body.toString("utf8")).toBe(JSON.stringify(events[0], null, 2));
  });

  it("a second run delivers only the new events, and a run with nothing new makes one call", async () => {
    api.add(120);
    await run({ since: "all" });
    const fresh = api.add(30);
    target.received.length = 0;
    const second = await run();
    expect(second.result.delivered).toBe(30);
    expect(second.calls).toBe(1);
    expect(deliveredIds()).toEqual(fresh.map((e) => e.id));
    target.received.length = 0;
    const third = await run();
    expect(third.result.delivered).toBe(0);
    expect(third.calls).toBe(1);
    expect(target.received).toHaveLength(0);
  });

  it("starts from now on the first run: one call, nothing delivered, then only later events", async () => {
    api.add(40);
    const first = await run();
    expect(first.calls).toBe(1);
    expect(api.calls[0]).toContain("limit=1");
    expect(target.received).toHaveLength(0);
    const later = api.add(3);
    const second = await run();
    expect(second.result.delivered).toBe(3);
    expect(deliveredIds()).toEqual(later.map((e) => e.id));
  });

  it("stops at a failed delivery and the rerun resumes exactly there: nothing lost, nothing repeated", async () => {
    const events = api.add(20);
    const bad = events[7]?.id;
    let refused = false;
    target.respond = (req) => {
      if (!refused && req.body.toString().includes(`"${bad}"`)) {
        refused = true;
        return { status: 500 };
      }
      return { status: 200 };
    };
    const first = await run({ since: "all" });
    expect(first.result.failed?.id).toBe(bad);
    expect(first.result.delivered).toBe(7);
    expect(first.state.data.cursor).toBe(events[6]?.id);
    const second = await run();
    expect(second.result.failed).toBeUndefined();
    expect(second.result.delivered).toBe(13);
    const ok = target.received.filter((_, i) => i !== 7).map((r) => JSON.parse(r.body.toString()).id);
    expect(ok).toEqual(events.map((e) => e.id));
  });

  it("waits out a 429 with Retry-After, then goes on", async () => {
    api.add(5);
    await run();
    const fresh = api.add(4);
    api.failures.push({ status: 429, headers: { "retry-after": "7" } });
    const { result, waits } = await run();
    expect(waits).toEqual([7000]);
    expect(result.delivered).toBe(4);
    expect(deliveredIds()).toEqual(fresh.map((e) => e.id));
  });

  it("backs off exponentially on 5xx and gives up after bounded attempts, keeping the cursor", async () => {
    api.add(2);
    await run();
    const cursor = api.events.at(-1)?.id;
    api.add(3);
    for (let i = 0; i < 5; i += 1) api.failures.push({ status: 503 });
    const failure = await run().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(HookError);
    expect((failure as HookError).exitCode).toBe(1);
    api.failures.push({ status: 500 }, { status: 502 });
    const { result, waits, state } = await run();
    expect(waits).toEqual([1000, 2000]);
    expect(result.delivered).toBe(3);
    expect(state.data.cursor).not.toBe(cursor);
  });

  it("an API answer that never ends is cut at --timeout (a deadline, not idle time), retried, then given up: exit 1", async () => {
    api.add(1);
    await run();
    const cursor = api.events.at(-1)?.id;
    api.add(2);
    for (let i = 0; i < 5; i += 1) api.failures.push({ status: 200, trickle: true });
    const failure = (await run({ timeoutMs: 300 }).catch((error: unknown) => error)) as HookError;
    expect(failure).toBeInstanceOf(HookError);
    expect(failure.exitCode).toBe(1);
    const host = new URL(api.url).host;
    expect(failure.message).toBe(
      `stripe API: no complete answer from ${host} within 300ms (gave up after 5 attempts)`,
    );
    expect(failure.hint).toContain("the API answered too slowly, or its answer never ended");
    expect(failure.hint).toContain("nothing was lost");
    const { result, state } = await run({ timeoutMs: 300 });
    expect(result.delivered).toBe(2);
    expect(state.data.cursor).not.toBe(cursor);
  });

  it("a refused delivery carries the app's answer (responseBody) for the line that shows why", async () => {
    api.add(1);
    await run();
    api.add(1);
    target.respond = () => ({ status: 400, body: "No signatures found matching the expected signature" });
    const { events } = await run();
    const delivery = events.find((e) => e.kind === "delivery");
    expect(delivery).toMatchObject({ kind: "delivery", ok: false, status: 400 });
    const body = delivery?.kind === "delivery" ? delivery.responseBody : undefined;
    expect(Buffer.from(body ?? []).toString()).toBe("No signatures found matching the expected signature");
  });

  it("an API that is down is said in words, with the API's hint, not the app's", async () => {
    const port = await Target.freePort();
    const failure = (await onePass({
      provider: "stripe",
      source: stripeSource({
        apiBase: `http://127.0.0.1:${port}`,
        spoolPath: () => `${statePath}.spool`,
        sign: (body) => stripe.sign({ body, secret: SECRET, timestamp: new Date() }),
      }),
      statePath,
      target: `${target.url}/webhooks`,
    }).catch((error: unknown) => error)) as HookError;
    expect(failure.message).toBe(
      `stripe API: connection refused by 127.0.0.1:${port} (gave up after 5 attempts)`,
    );
    expect(failure.hint).toContain("check --api-base");
  });

  it("with --once, a rate limit longer than a minute ends the run and says when to retry", async () => {
    api.add(1);
    await run();
    api.failures.push({ status: 429, headers: { "retry-after": "120" } });
    const failure = (await run({ maxWaitMs: 60_000 }).catch((error: unknown) => error)) as HookError;
    expect(failure.exitCode).toBe(1);
    expect(failure.message).toMatch(/rate limited for 2m/);
    expect(failure.hint).toMatch(/run again after \d{4}-/);
  });

  it("a refused key is exit 2 naming the API and the key variable", async () => {
    const failure = (await run({ key: "sk_test_wrong" }).catch((error: unknown) => error)) as HookError;
    expect(failure.exitCode).toBe(2);
    expect(failure.message).toMatch(/stripe API: 401 Invalid API Key/);
    expect(failure.hint).toMatch(/TEST_KEY/);
  });

  it("filters --types client-side, so the cursor still moves past the others", async () => {
    api.add(1);
    await run();
    api.add(2, "charge.refunded");
    const wanted = api.add(1, "payment_intent.created");
    api.add(2, "charge.refunded");
    const { result, state } = await run({ wanted: (t) => t?.startsWith("payment_intent.") === true });
    expect(result.delivered).toBe(1);
    expect(result.skipped).toBe(4);
    expect(deliveredIds()).toEqual(wanted.map((e) => e.id));
    expect(state.data.cursor).toBe(api.events.at(-1)?.id);
    expect(api.calls.at(-1)).not.toContain("type");
  });

  it("a 4xx answer is a failed delivery: the pass stops there and the cursor stays before it", async () => {
    api.add(1);
    await run();
    const fresh = api.add(3);
    const refusedId = fresh[1]?.id;
    target.respond = (req) =>
      req.body.toString().includes(`"${refusedId}"`) ? { status: 400 } : { status: 200 };
    const { result, state } = await run();
    expect(result.delivered).toBe(1);
    expect(result.failed).toEqual({ id: refusedId, error: "answered 400" });
    expect(state.data.cursor).toBe(fresh[0]?.id);
    expect(state.seen(refusedId ?? "")).toBe(false);
  });

  it("--since DURATION backfills only the window", async () => {
    api.add(10, "old.event", 1_000);
    const recent = api.add(5, "new.event", 2_000);
    const { result } = await run({ since: new Date(1_500 * 1000) });
    expect(result.delivered).toBe(5);
    expect(deliveredIds()).toEqual(recent.map((e) => e.id));
  });
});
