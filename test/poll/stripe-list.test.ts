import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { HookError } from "../../src/errors.js";
import { stripeSource } from "../../src/poll/stripe.js";
import type { Target } from "../helpers/target.js";
import { FakeStripeApi } from "./helpers/fake-stripe-api.js";
import { onePass, tempDir, withPollServers } from "./helpers/run-pass.js";

describe("poll stripe: the list and its cursor", () => {
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

  const run = (extra: { since?: Date | "all"; base?: string } = {}) =>
    onePass({
      provider: "stripe",
      source: stripeSource({
        apiBase: extra.base ?? api.url,
        spoolPath: () => `${statePath}.spool`,
        sign: () => ({ "stripe-signature": "t=1,v1=x" }),
      }),
      statePath,
      target: `${target.url}/webhooks`,
      headers: { authorization: `Bearer ${api.key}` },
      since: extra.since,
    });
  const failure = (extra: { since?: Date | "all"; base?: string } = {}) =>
    run(extra).then(
      () => undefined,
      (error: unknown) => error as HookError,
    );
  const deliveredIds = () =>
    target.received.map((r) => (JSON.parse(r.body.toString("utf8")) as { id: string }).id);
  const withCursor = (cursor: string) =>
    writeFileSync(
      statePath,
      JSON.stringify({ version: 1, provider: "stripe", source: "events", cursor, delivered: [] }),
    );

  it("sends what Stripe's webhooks send, whatever slashes end --api-base", async () => {
    const [event] = api.add(1);
    const first = await run({ base: `${api.url}/`, since: "all" });
    expect(first.result.delivered).toBe(1);
    expect(api.calls[0]).toBe("/v1/events?limit=100");
    expect(target.received[0]?.headers).toMatchObject({
      accept: "*/*; q=0.5, application/xml",
      "cache-control": "no-cache",
      "stripe-signature": "t=1,v1=x",
    });
    expect(deliveredIds()).toEqual([event?.id]);
    expect(first.events.find((e) => e.kind === "delivery")).toMatchObject({ type: event?.type });
  });

  it("the first run's bootstrap remembers the newest event's type; an empty account delivers all later", async () => {
    const first = await run();
    expect(first.result.skipped).toBe(0);
    const later = api.add(2);
    const second = await run();
    expect(second.result.delivered).toBe(2);
    expect(deliveredIds()).toEqual(later.map((e) => e.id));
    api.add(1, "charge.refunded");
    statePath = join(tempDir(), "other.json");
    const { events } = await run();
    expect(events.filter((e) => e.kind === "skip")).toEqual([
      { kind: "skip", id: api.events.at(-1)?.id, type: "charge.refunded", reason: "bootstrap" },
    ]);
  });

  it("follows new events page by page (ending_before), oldest first", async () => {
    api.add(1);
    await run();
    const fresh = api.add(230);
    const { result, calls } = await run();
    expect(result.delivered).toBe(230);
    expect(calls).toBe(3);
    expect(deliveredIds()).toEqual(fresh.map((e) => e.id));
    expect(api.calls.slice(-3).every((c) => c.includes("ending_before=") && c.includes("limit=100"))).toBe(
      true,
    );
  });

  it("a backfill keeps only its window even where the API ignores created[gte], and stops walking there", async () => {
    api.honourCreated = false;
    api.add(150, "old.event", 1_000);
    const recent = [...api.add(1, "edge.event", 1_500), ...api.add(4, "new.event", 2_000)];
    const { result } = await run({ since: new Date(1_500 * 1000) });
    expect(result.delivered).toBe(5);
    expect(deliveredIds()).toEqual(recent.map((e) => e.id));
    expect(api.calls[0]).toBe("/v1/events?limit=100&created[gte]=1500");
    // The first page already reached past the window: no second page, then one call for newer events.
    expect(api.calls).toHaveLength(2);
    expect(api.calls[1]).toContain(`ending_before=${recent.at(-1)?.id}`);
  });

  it("a backfill of an empty account makes one call and delivers nothing", async () => {
    const { result, calls } = await run({ since: "all" });
    expect(result.delivered).toBe(0);
    expect(calls).toBe(1);
  });

  it("a page that is empty but claims has_more ends the walk instead of looping", async () => {
    api.failures.push({ status: 200, body: '{"data":[],"has_more":true}' });
    const backfill = await run({ since: "all" });
    expect(backfill.calls).toBe(1);
    api.add(1);
    await run();
    api.failures.push({ status: 200, body: '{"data":[],"has_more":true}' });
    const forward = await run();
    expect(forward.calls).toBe(1);
    expect(forward.result.failed).toBeUndefined();
  });

  it("each call reports how many events it listed", async () => {
    api.add(1);
    await run();
    api.add(3);
    const { events } = await run();
    expect(events.filter((e) => e.kind === "poll").map((e) => e.kind === "poll" && e.count)).toEqual([3]);
  });

  it("a cursor Stripe no longer lists is an error that says so and keeps the state", async () => {
    api.add(1);
    withCursor("evt_gone");
    const error = await failure();
    expect(error).toBeInstanceOf(HookError);
    expect(error?.exitCode).toBe(1);
    expect(error?.message).toBe(
      "Stripe API: the cursor event evt_gone is no longer listed (stripe API: 404 No such event: 'evt_gone')",
    );
    expect(error?.hint).toMatch(/^Stripe keeps events 30 days; nothing after the cursor was skipped/);
  });

  it("the cursor is sent URL-encoded, whatever it holds", async () => {
    withCursor("evt_a+b&limit=1");
    await failure();
    expect(api.calls[0]).toBe("/v1/events?ending_before=evt_a%2Bb%26limit%3D1&limit=100");
  });

  it("other refusals of the forward call reach the caller unchanged", async () => {
    api.add(1);
    await run();
    api.failures.push({ status: 400, body: JSON.stringify({ error: { message: "Invalid limit" } }) });
    const error = await failure();
    expect(error?.message).toBe("stripe API: 400 Invalid limit");
  });

  it("an answer that is not an events list is an error pointing at --api-base", async () => {
    const bad = async (body: string) => {
      api.failures.push({ status: 200, body });
      return failure();
    };
    let error = await bad("<html>");
    expect(error?.message).toBe("Stripe API: the events list is not JSON");
    expect(error?.hint).toBe("check --api-base");
    error = await bad('{"object":"list"}');
    expect(error?.message).toBe("Stripe API: the answer has no data[] of events with ids");
    expect(error?.hint).toBe("check --api-base");
    expect((await bad('{"data":[{"id":5}]}'))?.message).toMatch(/no data\[\] of events with ids/);
    expect((await bad('{"data":[null]}'))?.message).toMatch(/no data\[\] of events with ids/);
    expect(target.received).toHaveLength(0);
  });
});
