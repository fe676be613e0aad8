import { Webhook } from "standardwebhooks";
import Stripe from "stripe";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { HookError } from "../../src/errors.js";
import { getProvider } from "../../src/providers/index.js";
import { parseSet } from "../../src/replay/edit.js";
import { parseExpect } from "../../src/replay/expect.js";
import { prepareJobs } from "../../src/replay/prepare.js";
import { type ReplayResult, runReplay } from "../../src/replay/run.js";
import { createSender } from "../../src/replay/send.js";
import type { LoadedFixture } from "../../src/store/fixture-reader.js";
import { Target } from "../helpers/target.js";

const STRIPE_SECRET = "whsec_run_test";
const STANDARD_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

function stripeFixture(over: Partial<LoadedFixture> = {}): LoadedFixture {
  return {
    file: "stripe.json",
    provider: "stripe",
    event: "charge.succeeded",
    id: "evt_1",
    method: "POST",
    path: "/stripe",
    headers: { "content-type": "application/json" },
    body: Buffer.from('{"id":"evt_1","type":"charge.succeeded","data":{"amount":1}}'),
    bare: false,
    ...over,
  };
}

function standardFixture(headers: Record<string, string> = {}): LoadedFixture {
  return {
    file: "standard.json",
    provider: "standard",
    event: "contact.created",
    method: "POST",
    path: "/std",
    headers: { "content-type": "application/json", ...headers },
    body: Buffer.from('{"type":"contact.created","data":{"id":"c_1"}}'),
    bare: false,
  };
}

const NOW = new Date("2026-11-27T12:00:00Z");
type ReplayPlan = Parameters<typeof runReplay>[0];

describe("preparing a replay", () => {
  const prepare = (fixtures: LoadedFixture[], over: Partial<Parameters<typeof prepareJobs>[0]> = {}) =>
    prepareJobs({ fixtures, providerOptions: {}, secrets: [STRIPE_SECRET], edits: [], now: NOW, ...over });

  it("names every fixture it cannot use, all at once, and sends nothing", () => {
    const bad = [
      stripeFixture({ file: "a.json", provider: "nosuch" }),
      stripeFixture({ file: "b.json" }),
      stripeFixture({ file: "c.json", body: Buffer.from("[1]") }),
    ];
    let error: unknown;
    try {
      prepare(bad, { edits: [parseSet("data.amount=5")] });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(HookError);
    const message = (error as Error).message;
    expect(message).toMatch(/^2 bad fixtures:/);
    expect(message).toContain('a.json: provider: unknown provider "nosuch" (known: ');
    expect(message).toContain("stripe, ");
    expect(message).toContain("; or pass --provider)");
    expect(message).toMatch(
      /c\.json: --set data\.amount=5: the top level has no key "data"|c\.json: --set data\.amount=5: .*/,
    );
    expect(message).not.toContain("b.json");
  });

  it("a provider name in any case is known; --provider signs every fixture and drops the fixture's own signature headers", () => {
    const upper = prepare([stripeFixture({ provider: "Stripe" })]);
    expect(upper.jobs[0]?.provider.name).toBe("stripe");
    expect(upper.jobs[0]?.alsoDrop).toEqual([]);
    const github = getProvider("github");
    const over = prepare([stripeFixture(), stripeFixture({ provider: "nosuch" })], { override: github });
    expect(over.jobs.map((j) => j.provider.name)).toEqual(["github", "github"]);
    expect(over.jobs[0]?.alsoDrop).toEqual(getProvider("stripe").signatureHeaders);
    expect(over.jobs[1]?.alsoDrop).toEqual([]);
    expect(over.signers.map((p) => p.name)).toEqual(["github"]);
  });

  it("applies --set once, up front, and the job carries the edited body", () => {
    const { jobs } = prepare([stripeFixture()], { edits: [parseSet("data.amount=500")] });
    expect(Buffer.from(jobs[0]?.fixture.body ?? []).toString()).toBe(
      '{"id":"evt_1","type":"charge.succeeded","data":{"amount":500}}',
    );
    expect(jobs[0]?.secret).toBe(STRIPE_SECRET);
  });

  it("bare payloads go unsigned, with one warning that counts them", () => {
    const bare = (file: string) => stripeFixture({ file, provider: undefined, bare: true, headers: {} });
    const one = prepare([bare("a.json")]);
    expect(one.jobs[0]?.provider.name).toBe("none");
    expect(one.warnings).toEqual(["1 bare payload is sent unsigned (pass --provider NAME to sign)"]);
    expect(prepare([bare("a.json"), bare("b.json")]).warnings).toEqual([
      "2 bare payloads are sent unsigned (pass --provider NAME to sign)",
    ]);
    expect(prepare([stripeFixture({ provider: undefined })]).jobs[0]?.provider.name).toBe("none");
    // Signed by --provider: no warning.
    expect(prepare([bare("a.json")], { override: getProvider("stripe") }).warnings).toEqual([]);
  });

  it("warns about a secret that is the wrong kind of key, once per provider", () => {
    const { warnings } = prepare([stripeFixture(), stripeFixture()], { secrets: ["sk_test_123"] });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^stripe: that is a Stripe API key/);
    expect(prepare([stripeFixture()]).warnings).toEqual([]);
  });

  it("a request the scheme cannot sign is a usage error before anything is sent", () => {
    // Twilio signs a JSON body only through a bodySHA256 query parameter the fixture's path lacks.
    const twilio = stripeFixture({ provider: "twilio", path: "/sms" });
    const run = () => prepare([twilio], { secrets: ["twilio-token"] });
    expect(run).toThrow(HookError);
    expect(run).toThrow(/^cannot sign for twilio: twilio signs a JSON body through the URL's bodySHA256/);
    // Without a secret the command says so itself (exit 2): no signing attempt here.
    expect(prepare([twilio], { secrets: [] }).jobs).toHaveLength(1);
  });

  it("keeps a delivery id that is the event id (Standard Webhooks): the saved one, or one fixed for all sends", () => {
    const saved = prepare([standardFixture({ "webhook-id": "msg_saved" })], { secrets: [STANDARD_SECRET] });
    expect(saved.jobs[0]?.deliveryId).toBe("msg_saved");
    const fresh = prepare([standardFixture()], { secrets: [STANDARD_SECRET] });
    expect(fresh.jobs[0]?.deliveryId).toMatch(/^[0-9a-f-]{36}$/);
    // Stripe's event id is in the body: each send gets its own delivery id.
    expect(prepare([stripeFixture()]).jobs[0]).not.toHaveProperty("deliveryId");
  });
});

describe("running a replay", () => {
  let target: Target;
  const sender = createSender(4);
  afterAll(() => sender.close());
  beforeEach(async () => {
    target = await new Target().start();
  });
  afterEach(async () => {
    await target.close();
  });

  function plan(over: Partial<ReplayPlan> = {}): ReplayPlan {
    const { jobs } = prepareJobs({
      fixtures: [stripeFixture()],
      providerOptions: {},
      secrets: [STRIPE_SECRET],
      edits: [],
      now: NOW,
    });
    return {
      jobs,
      to: new URL(`${target.url}/app?api_key=sekrit`),
      repeat: 1,
      concurrency: 1,
      timeoutMs: 5_000,
      extraHeaders: new Headers(),
      expect: parseExpect("2xx"),
      ...over,
    };
  }

  let tick = 0;
  const deps = (onResult?: (r: ReplayResult, done: number, total: number) => void) => ({
    sender,
    now: () => new Date(),
    clock: () => (tick += 250),
    onResult,
  });

  it("sends each fixture repeat times, in order, freshly signed, and judges each answer", async () => {
    const two = plan();
    two.jobs.push({
      ...(two.jobs[0] as (typeof two.jobs)[0]),
      fixture: stripeFixture({ file: "b.json", path: "/b" }),
    });
    let codes = [200, 500, 201, 404];
    target.respond = () => ({ status: codes.shift() ?? 200, body: "answer ".repeat(200) });
    const seen: string[] = [];
    const { results, summary } = await runReplay(
      { ...two, repeat: 2 },
      deps((r, done, total) => seen.push(`${r.index}:${done}/${total}`)),
    );
    expect(seen).toEqual(["1:1/4", "2:2/4", "3:3/4", "4:4/4"]);
    expect(results.map((r) => [r.file, r.attempt, r.status, r.pass])).toEqual([
      ["stripe.json", 1, 200, true],
      ["stripe.json", 2, 500, false],
      ["b.json", 1, 201, true],
      ["b.json", 2, 404, false],
    ]);
    expect(target.received.map((r) => r.url)).toEqual([
      "/app/stripe?api_key=sekrit",
      "/app/stripe?api_key=sekrit",
      "/app/b?api_key=sekrit",
      "/app/b?api_key=sekrit",
    ]);
    for (const received of target.received) {
      const event = Stripe.webhooks.constructEvent(
        received.body.toString(),
        received.headers["stripe-signature"] as string,
        STRIPE_SECRET,
      );
      expect(event.id).toBe("evt_1");
    }
    const first = results[0] as ReplayResult;
    expect(first).toMatchObject({
      provider: "stripe",
      event: "charge.succeeded",
      eventId: "evt_1",
      method: "POST",
      expected: "2xx",
    });
    // The URL as shown and reported: its credentials masked.
    expect(first.url).toBe(`${target.url}/app/stripe?api_key=***`);
    expect(first.answerStart).toBe("answer ".repeat(200).slice(0, 512));
    expect(first.latencyMs).toBeGreaterThan(0);
    expect(first.deliveryId).not.toBe(results[1]?.deliveryId);
    expect(summary).toMatchObject({ total: 4, passed: 2, failed: 2, errors: 0, notSent: 0 });
    expect(summary.durationMs).toBe(250);
    expect(summary.perSecond).toBe(16);
    codes = [];
  });

  it("reports the event id the app saw, after --set, the same on every send of a job", async () => {
    const { jobs } = prepareJobs({
      fixtures: [stripeFixture()],
      providerOptions: {},
      secrets: [STRIPE_SECRET],
      edits: [parseSet("id=evt_edited")],
      now: NOW,
    });
    const { results } = await runReplay(plan({ jobs, repeat: 2 }), deps());
    expect(results.map((r) => r.eventId)).toEqual(["evt_edited", "evt_edited"]);
  });

  it("a delivery id that is the event id is the same on every send, so --repeat is a true duplicate", async () => {
    const { jobs } = prepareJobs({
      fixtures: [standardFixture()],
      providerOptions: {},
      secrets: [STANDARD_SECRET],
      edits: [],
      now: NOW,
    });
    const { results } = await runReplay(plan({ jobs, repeat: 3 }), deps());
    const ids = target.received.map((r) => r.headers["webhook-id"]);
    expect(new Set(ids).size).toBe(1);
    expect(results.map((r) => r.deliveryId)).toEqual(ids);
    for (const received of target.received) {
      expect(() =>
        new Webhook(STANDARD_SECRET).verify(
          received.body.toString(),
          received.headers as Record<string, string>,
        ),
      ).not.toThrow();
    }
  });

  it("runs `concurrency` requests at a time", async () => {
    let inFlight = 0;
    let most = 0;
    let release: () => void = () => {};
    const allThree = new Promise<void>((resolve) => {
      release = resolve;
    });
    target.respond = async () => {
      inFlight++;
      most = Math.max(most, inFlight);
      if (inFlight === 3) release();
      // Bounded: with fewer in flight than 3 the answers come anyway, and `most` tells.
      await Promise.race([allThree, new Promise((r) => setTimeout(r, 2_000))]);
      inFlight--;
      return { status: 200 };
    };
    const { summary } = await runReplay(plan({ repeat: 6, concurrency: 3 }), deps());
    expect(most).toBe(3);
    expect(summary.passed).toBe(6);
  });

  it("no answer is an error, not a failure: the reason is kept and nothing is judged a pass", async () => {
    const port = await Target.freePort();
    const { results, summary } = await runReplay(plan({ to: new URL(`http://127.0.0.1:${port}/`) }), deps());
    expect(results[0]?.status).toBeUndefined();
    expect(results[0]?.pass).toBe(false);
    expect(results[0]?.error).toMatch(/refused|127\.0\.0\.1/);
    expect(results[0]?.answerStart).toBeUndefined();
    expect(summary).toMatchObject({ total: 1, passed: 0, failed: 0, errors: 1 });
  });

  it("stops sending when asked: in-flight requests finish, the rest count as not sent", async () => {
    let stop: () => void = () => {};
    const stopped = new Promise<void>((resolve) => {
      stop = resolve;
    });
    target.respond = () => {
      stop();
      return { status: 200 };
    };
    const { results, summary } = await runReplay(plan({ repeat: 5 }), { ...deps(), stop: stopped });
    expect(results).toHaveLength(1);
    expect(target.received).toHaveLength(1);
    expect(summary).toMatchObject({ total: 5, passed: 1, notSent: 4 });
  });

  it("an empty run sends nothing and says so; zero time means zero per second", async () => {
    const { results, summary } = await runReplay(plan({ jobs: [] }), { ...deps(), clock: () => 7 });
    expect(results).toEqual([]);
    expect(summary).toEqual({
      total: 0,
      passed: 0,
      failed: 0,
      errors: 0,
      notSent: 0,
      durationMs: 0,
      perSecond: 0,
    });
  });
});
