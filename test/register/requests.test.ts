import { afterEach, describe, expect, it } from "vitest";
import { registerContext } from "../../src/register/context.js";
import { getRegistrar } from "../../src/register/index.js";
import type { Credentials, Entry, RegisterFlags } from "../../src/register/types.js";
import { Target } from "../helpers/target.js";
import type { FakeApi } from "./helpers/fake-api.js";
import {
  FakeGithub,
  FakeHub,
  FakePaddle,
  FakePaypal,
  FakeStripe,
  FakeTelegram,
  FakeTwitch,
  PADDLE_EVENTS,
} from "./helpers/fake-providers.js";

const URL1 = "https://one-two-1-tunnel.trycloudflare.com/hooks";
const URL2 = "https://three-four-2-tunnel.trycloudflare.com/hooks";
const SECRET = "a-strong-generated-secret-of-43-characters__";

let fake: FakeApi;
let target: Target;
afterEach(async () => {
  await fake?.close();
  await target?.close();
});

/** create -> update -> remove against a stand-in, as `hook listen --register` drives them. */
async function drive(name: string, made: FakeApi, credentials: Credentials, flags: RegisterFlags = {}) {
  fake = await made.start();
  target = await new Target().start();
  fake.receiver(target.url);
  const registrar = getRegistrar(name);
  const ctx = registerContext(registrar, credentials, flags, fake.url);
  const scope = { ...registrar.scope?.(ctx), ...(await registrar.prepare?.(ctx)) };
  const created = await registrar.create(ctx, { url: URL1, secret: SECRET }, scope);
  const entry: Entry = {
    ref: "r",
    provider: name,
    id: created.id,
    url: URL1,
    state: "active",
    pid: 1,
    startedAt: "",
    base: ctx.base,
    scope,
  };
  const { id } = await registrar.update(ctx, entry, { url: URL2, secret: SECRET });
  const removal = await registrar.remove(ctx, { ...entry, id, url: URL2 });
  return { created, id, removal, calls: fake.calls };
}

describe("the requests each provider's API documents", () => {
  it("stripe: form POST /v1/webhook_endpoints (url, enabled_events[], description), POST to update, DELETE", async () => {
    const f = new FakeStripe();
    const { created, calls, removal } = await drive(
      "stripe",
      f,
      { key: f.key },
      { events: ["payment_intent.succeeded", "charge.refunded"] },
    );
    expect(created.secret).toMatch(/^whsec_/);
    expect(calls.map((c) => `${c.method} ${c.path}`)).toEqual([
      "POST /v1/webhook_endpoints",
      `POST /v1/webhook_endpoints/${created.id}`,
      `DELETE /v1/webhook_endpoints/${created.id}`,
    ]);
    expect(calls.every((c) => c.headers.authorization === `Bearer ${f.key}`)).toBe(true);
    expect(calls[0]?.headers["content-type"]).toBe("application/x-www-form-urlencoded");
    expect([...(calls[0]?.form ?? [])]).toEqual([
      ["url", URL1],
      ["description", "hook listen (temporary)"],
      ["enabled_events[]", "payment_intent.succeeded"],
      ["enabled_events[]", "charge.refunded"],
    ]);
    expect([...(calls[1]?.form ?? [])]).toEqual([["url", URL2]]);
    expect(removal).toBe("removed");
  });

  it("stripe: a pattern becomes * (Stripe lists no event types to expand it against)", async () => {
    const f = new FakeStripe();
    const { calls } = await drive("stripe", f, { key: f.key }, { events: ["payment_intent.*"] });
    expect(calls[0]?.form.getAll("enabled_events[]")).toEqual(["*"]);
  });

  it("github: JSON hook with content_type json, our secret and insecure_ssl 0; PATCH config; DELETE", async () => {
    const f = new FakeGithub();
    const { created, calls } = await drive(
      "github",
      f,
      { key: f.key },
      { repo: "octo/hello", events: ["push", "pull_request.opened"] },
    );
    expect(calls.map((c) => `${c.method} ${c.path}`)).toEqual([
      "POST /repos/octo/hello/hooks",
      `PATCH /repos/octo/hello/hooks/${created.id}`,
      `DELETE /repos/octo/hello/hooks/${created.id}`,
    ]);
    for (const c of calls) {
      expect(c.headers.authorization).toBe(`Bearer ${f.key}`);
      expect(c.headers.accept).toBe("application/vnd.github+json");
      expect(c.headers["x-github-api-version"]).toBe("2022-11-28");
    }
    expect(calls[0]?.json).toEqual({
      name: "web",
      active: true,
      events: ["push", "pull_request"],
      config: { url: URL1, content_type: "json", secret: SECRET, insecure_ssl: "0" },
    });
    expect(calls[1]?.json).toEqual({
      config: { url: URL2, content_type: "json", secret: SECRET, insecure_ssl: "0" },
    });
    // GitHub's ping follows the creation, signed with the secret hook gave.
    await target.waitFor(1);
    expect(target.received[0]?.headers["x-github-event"]).toBe("ping");
  });

  it("github --org: /orgs/ORG/hooks", async () => {
    const f = new FakeGithub();
    const { calls } = await drive("github", f, { key: f.key }, { org: "octo" });
    expect(calls[0]?.path).toBe("/orgs/octo/hooks");
    expect(calls[0]?.json.events).toEqual(["*"]);
  });

  it("telegram: getWebhookInfo first, setWebhook {url, secret_token, allowed_updates}, deleteWebhook", async () => {
    const f = new FakeTelegram();
    const { created, calls, removal } = await drive(
      "telegram",
      f,
      { key: f.key },
      { events: ["message", "callback_query"] },
    );
    expect(created.id).toBe("bot123456789");
    expect(calls.map((c) => `${c.method} ${c.path.replace(f.key, "TOKEN")}`)).toEqual([
      "POST /botTOKEN/getWebhookInfo",
      "POST /botTOKEN/setWebhook",
      "POST /botTOKEN/setWebhook",
      "POST /botTOKEN/getWebhookInfo",
      "POST /botTOKEN/deleteWebhook",
    ]);
    expect(calls[1]?.json).toEqual({
      url: URL1,
      secret_token: SECRET,
      allowed_updates: ["message", "callback_query"],
    });
    expect(calls[2]?.json).toMatchObject({ url: URL2, secret_token: SECRET });
    expect(removal).toBe("removed");
  });

  it("twitch: client-credentials token, POST subscription with webhook transport, delete + create to update", async () => {
    const f = new FakeTwitch();
    const condition = '{"broadcaster_user_id":"1234"}';
    const { created, id, calls } = await drive(
      "twitch",
      f,
      { key: f.key, secret: f.clientSecret },
      { type: "stream.online", condition },
    );
    expect(calls[0]?.path).toBe("/oauth2/token");
    expect(Object.fromEntries(calls[0]?.form ?? [])).toEqual({
      client_id: f.key,
      client_secret: f.clientSecret,
      grant_type: "client_credentials",
    });
    expect(f.lines()).toEqual([
      "POST /helix/eventsub/subscriptions",
      "DELETE /helix/eventsub/subscriptions",
      "POST /helix/eventsub/subscriptions",
      "DELETE /helix/eventsub/subscriptions",
    ]);
    expect(calls.filter((c) => c.path === "/oauth2/token")).toHaveLength(1);
    const post = calls[1];
    expect(post?.headers["client-id"]).toBe(f.key);
    expect(post?.json).toEqual({
      type: "stream.online",
      version: "1",
      condition: { broadcaster_user_id: "1234" },
      transport: { method: "webhook", callback: URL1, secret: SECRET },
    });
    expect(calls[2]?.query.get("id")).toBe(created.id);
    expect(id).not.toBe(created.id);
  });

  it("websub: form POST to the hub (mode, topic, callback, secret, lease), unsubscribe by form too", async () => {
    const f = new FakeHub();
    const topic = "https://www.youtube.com/xml/feeds/videos.xml?channel_id=UCx";
    const { calls } = await drive("websub", f, { key: "" }, { topic, lease: "1d" });
    expect(calls.map((c) => `${c.method} ${c.path} ${c.form.get("hub.mode")}`)).toEqual([
      "POST /subscribe subscribe",
      "POST /subscribe unsubscribe",
      "POST /subscribe subscribe",
      "POST /subscribe unsubscribe",
    ]);
    expect(Object.fromEntries(calls[0]?.form ?? [])).toEqual({
      "hub.mode": "subscribe",
      "hub.topic": topic,
      "hub.callback": URL1,
      "hub.secret": SECRET,
      "hub.lease_seconds": "86400",
    });
    expect(Object.fromEntries(calls[1]?.form ?? [])).toEqual({
      "hub.mode": "unsubscribe",
      "hub.topic": topic,
      "hub.callback": URL1,
    });
  });

  it("paypal: Basic-auth token, POST /v1/notifications/webhooks {url, event_types}, JSON Patch, DELETE; the id feeds verification", async () => {
    const f = new FakePaypal();
    const { created, calls } = await drive("paypal", f, { key: f.key, secret: f.clientSecret });
    expect(calls[0]?.headers.authorization).toBe(
      `Basic ${Buffer.from(`${f.key}:${f.clientSecret}`).toString("base64")}`,
    );
    expect(f.lines()).toEqual([
      "POST /v1/notifications/webhooks",
      `PATCH /v1/notifications/webhooks/${created.id}`,
      `DELETE /v1/notifications/webhooks/${created.id}`,
    ]);
    expect(calls[1]?.json).toEqual({ url: URL1, event_types: [{ name: "*" }] });
    expect(calls[2]?.json).toEqual([{ op: "replace", path: "/url", value: URL2 }]);
    expect(created.options).toEqual({ webhookId: created.id });
  });

  it("paddle: every type from GET /event-types (or those --events picks), POST /notification-settings, PATCH, DELETE", async () => {
    const f = new FakePaddle();
    const { created, calls } = await drive("paddle", f, { key: f.key }, { events: ["transaction.*"] });
    expect(created.secret).toMatch(/^pdl_ntfset_/);
    expect(calls.map((c) => `${c.method} ${c.path}`)).toEqual([
      "GET /event-types",
      "POST /notification-settings",
      `PATCH /notification-settings/${created.id}`,
      `DELETE /notification-settings/${created.id}`,
    ]);
    expect(calls[1]?.json).toEqual({
      description: "hook listen (temporary)",
      type: "url",
      destination: URL1,
      subscribed_events: PADDLE_EVENTS.filter((e) => e.startsWith("transaction.")),
      active: true,
    });
    expect(calls[2]?.json).toEqual({ destination: URL2 });
  });
});
