import { afterEach, describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import type { Target } from "../helpers/target.js";
import {
  type Listening,
  SECRET,
  startListen,
  stripeHeader,
  waitForLines,
  workDir,
} from "../listen/helpers.js";
import { API_KEY, FakeStripeEvents, reconcileSetup, webhookBody } from "./helpers.js";

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const step of cleanups.splice(0).reverse()) await step();
});

async function confirming(): Promise<{ api: FakeStripeEvents; app: Target; l: Listening }> {
  const { api, app, work } = await reconcileSetup(cleanups, await new FakeStripeEvents().start());
  const args = ["--provider", "stripe", "--secret", SECRET, "-f", app.url, "--confirm"];
  const l = await startListen([...args, "--api-key", API_KEY, "--api-base", api.url], { cwd: work.dir });
  cleanups.push(() => l.proc.stop("SIGKILL"));
  return { api, app, l };
}

function send(l: Listening, body: string) {
  return fetch(`${l.url}/webhooks`, {
    method: "POST",
    headers: { "content-type": "application/json", "stripe-signature": stripeHeader(body) },
    body,
  });
}

describe("hook listen --confirm", () => {
  it("rejects a correctly signed webhook for an event the Stripe API does not have, with the reason", async () => {
    const { api, app, l } = await confirming();
    const [known] = api.add(1);
    if (!known) throw new Error("no event");
    const invented = { ...known, id: "evt_invented_by_someone_with_the_secret" };
    const ok = await send(l, webhookBody(known));
    expect(ok.status).toBe(200);
    const refused = await send(l, webhookBody(invented));
    expect(refused.status).toBe(401);
    expect(await refused.json()).toEqual({
      error: "not confirmed",
      reason: `not confirmed: the Stripe API does not know event ${invented.id}`,
    });
    expect(app.received.map((r) => JSON.parse(r.body.toString()).id)).toEqual([known.id]);
    expect(api.lookups).toEqual([known.id, invented.id]);
    const [start] = await waitForLines(l.proc, "reconciling", 1);
    expect(start).toEqual({
      kind: "reconciling",
      api: "Stripe API",
      everyMs: null,
      state: null,
      confirm: true,
    });
    const [line] = await waitForLines(l.proc, "request", 1, 5000, (r) => r.id === invented.id);
    expect(line).toMatchObject({ verified: false, outcome: "rejected", status: 401 });
    expect(String(line?.reason)).toContain("does not know event");
  }, 20_000);

  it("rejects an event the API has under another type", async () => {
    const { api, l } = await confirming();
    const [known] = api.add(1, "charge.refunded");
    if (!known) throw new Error("no event");
    const res = await send(l, webhookBody({ ...known, type: "payment_intent.succeeded" }));
    expect(res.status).toBe(401);
    expect(((await res.json()) as { reason: string }).reason).toContain("as charge.refunded");
  }, 20_000);

  it("answers 503 when the API cannot be asked, so Stripe sends the webhook again", async () => {
    const { api, app, l } = await confirming();
    const [known] = api.add(1);
    if (!known) throw new Error("no event");
    api.failures.push({ status: 500 }, { status: 500 });
    const res = await send(l, webhookBody(known));
    expect(res.status).toBe(503);
    expect(app.received).toHaveLength(0);
  }, 20_000);

  it("refuses github with the reason, and needs the API key", async () => {
    const work = workDir();
    cleanups.push(() => work.remove());
    const github = await runCli(
      ["listen", "--no-tunnel", "--provider", "github", "--secret", "s", "--confirm", "--repo", "o/r"],
      { cwd: work.dir },
    );
    expect(github.code).toBe(2);
    expect(github.stderr).toContain("--confirm does not work with github");
    expect(github.stderr).toMatch(/hint: GitHub's API cannot look an event up/);
    const noKey = await runCli(
      ["listen", "--no-tunnel", "--provider", "stripe", "--secret", SECRET, "--confirm"],
      {
        cwd: work.dir,
      },
    );
    expect(noKey.code).toBe(2);
    expect(noKey.stderr).toContain("hook: listen --reconcile: no Stripe API key");
    const noScope = await runCli(
      ["listen", "--no-tunnel", "--provider", "github", "--secret", "s", "--reconcile"],
      { cwd: work.dir },
    );
    expect(noScope.code).toBe(2);
    expect(noScope.stderr).toContain("github needs exactly one of --repo OWNER/NAME or --org ORG\n");
    const lonely = await runCli(["listen", "--no-tunnel", "--every", "5m"], { cwd: work.dir });
    expect(lonely.code).toBe(2);
    expect(lonely.stderr).toContain("--every needs --reconcile");
  }, 20_000);
});
