import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { workDir } from "../listen/helpers.js";
import { CASES } from "./helpers/cases.js";
import type { Call, FakeApi } from "./helpers/fake-api.js";
import { FakeStripe, FakeTelegram } from "./helpers/fake-providers.js";
import { listenRegistering, recorded, registerLines, until } from "./helpers/run.js";

const byName = (name: string) => CASES.find((c) => c.name === name) as (typeof CASES)[number];

describe("hook listen --register: the record is written before each API call", () => {
  let work: ReturnType<typeof workDir>;
  let fake: FakeApi | undefined;
  beforeEach(() => {
    work = workDir();
  });
  afterEach(async () => {
    await fake?.close();
    work.remove();
  });

  it("a run killed during setWebhook leaves a record, and the next run undoes what the call did", async () => {
    const tg = await new FakeTelegram().start();
    fake = tg;
    tg.hang = (call) => call.path.endsWith("/setWebhook");
    const c = byName("telegram");
    const first = await listenRegistering(c, tg, work.dir);
    await registerLines(first.proc, "registering");
    await until(() => tg.webhook.url !== "", "the webhook set at Telegram");
    await first.proc.stop("SIGKILL");
    expect(recorded(work.dir)).toMatchObject([{ provider: "telegram", url: tg.webhook.url }]);
    expect(recorded(work.dir)[0]?.id).toBeUndefined();
    tg.hang = () => false;
    const second = await listenRegistering(c, tg, work.dir);
    const [removed] = await registerLines(second.proc, "removed");
    expect(removed).toMatchObject({ leftover: true });
    await registerLines(second.proc, "registered");
    expect((await second.proc.stop("SIGINT")).code).toBe(130);
    expect(tg.webhook.url).toBe("");
    expect(recorded(work.dir)).toEqual([]);
  });

  it("stripe: a create call that made nothing before the kill: nothing to remove, and the record is cleared", async () => {
    const stripe = await new FakeStripe().start();
    fake = stripe;
    stripe.hang = (call) => call.method === "POST";
    const c = byName("stripe");
    const first = await listenRegistering(c, stripe, work.dir);
    await registerLines(first.proc, "registering");
    await until(() => stripe.live.size === 1, "the endpoint created");
    await first.proc.stop("SIGKILL");
    // As if the kill had come before Stripe made it.
    stripe.live.clear();
    stripe.hang = () => false;
    const second = await listenRegistering(c, stripe, work.dir);
    const [removed] = await registerLines(second.proc, "removed");
    expect(removed).toMatchObject({
      leftover: true,
      note: "the create call it was stopped in never made one",
    });
    expect((await second.proc.stop("SIGINT")).code).toBe(130);
    expect(recorded(work.dir)).toEqual([]);
  });
});

const CREATES: Record<string, (call: Call) => boolean> = {
  stripe: (call) => call.method === "POST" && call.path === "/v1/webhook_endpoints",
  github: (call) => call.method === "POST" && call.path.endsWith("/hooks"),
  twitch: (call) => call.method === "POST" && call.path === "/helix/eventsub/subscriptions",
  paypal: (call) => call.method === "POST" && call.path === "/v1/notifications/webhooks",
  paddle: (call) => call.method === "POST" && call.path === "/notification-settings",
};

describe.each(CASES.filter((c) => c.name in CREATES))("$name: killed during the create call", (c) => {
  let work: ReturnType<typeof workDir>;
  let fake: FakeApi;
  beforeEach(async () => {
    work = workDir();
    fake = await c.fake().start();
  });
  afterEach(async () => {
    await fake.close();
    work.remove();
  });

  it("the next run finds the registration by its URL in the provider's list and removes it", async () => {
    fake.hang = CREATES[c.name] as (call: Call) => boolean;
    const first = await listenRegistering(c, fake, work.dir);
    const [registering] = await registerLines(first.proc, "registering");
    await until(() => fake.live.size === 1, "the registration made");
    await first.proc.stop("SIGKILL");
    expect(recorded(work.dir)).toMatchObject([{ url: registering?.url }]);
    fake.hang = () => false;
    const second = await listenRegistering(c, fake, work.dir);
    const [removed] = await registerLines(second.proc, "removed");
    expect(removed).toMatchObject({ leftover: true, url: registering?.url });
    expect(removed?.id).toEqual(expect.any(String));
    await registerLines(second.proc, "registered");
    expect((await second.proc.stop("SIGINT")).code).toBe(130);
    expect(fake.live.size).toBe(0);
    expect(recorded(work.dir)).toEqual([]);
  });
});
