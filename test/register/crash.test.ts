import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { workDir } from "../listen/helpers.js";
import { CASES } from "./helpers/cases.js";
import type { FakeApi } from "./helpers/fake-api.js";
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

  it("stripe: a run killed during the create call is reported (no id to remove it by)", async () => {
    const stripe = await new FakeStripe().start();
    fake = stripe;
    stripe.hang = (call) => call.method === "POST";
    const c = byName("stripe");
    const first = await listenRegistering(c, stripe, work.dir);
    await registerLines(first.proc, "registering");
    await until(() => stripe.live.size === 1, "the endpoint created");
    await first.proc.stop("SIGKILL");
    stripe.hang = () => false;
    const second = await listenRegistering(c, stripe, work.dir);
    const [failed] = await registerLines(second.proc, "failed");
    expect(failed).toMatchObject({
      leftover: true,
      reason: expect.stringMatching(/stopped while registering/),
    });
    expect(failed?.hint).toMatch(/delete it by hand/);
    await second.proc.stop("SIGKILL");
  });
});
