import { randomUUID } from "node:crypto";
import { getProvider } from "../../../src/providers/index.js";
import { bearer, type Call, FakeApi, type Reply } from "./fake-api.js";

const missing = (what: string): Reply => ({ status: 404, body: { message: `no such ${what}` } });

/** Stripe: form-encoded /v1/webhook_endpoints; the secret comes back only at creation. */
export class FakeStripe extends FakeApi {
  key = "sk_test_fake_key_123456";

  protected route(c: Call): Reply {
    if (bearer(c) !== this.key) {
      return {
        status: 401,
        body: { error: { message: `Invalid API Key provided: ${bearer(c)}`, type: "invalid_request_error" } },
      };
    }
    const id = /^\/v1\/webhook_endpoints\/([^/]+)$/.exec(c.path)?.[1];
    if (c.method === "GET" && c.path === "/v1/webhook_endpoints") {
      const data = [...this.live.values()].map(({ id: eid, url, description }) => ({
        id: eid,
        object: "webhook_endpoint",
        url,
        description,
      }));
      return { status: 200, body: { object: "list", url: "/v1/webhook_endpoints", has_more: false, data } };
    }
    if (c.method === "POST" && c.path === "/v1/webhook_endpoints") {
      const url = c.form.get("url");
      if (!url || c.form.getAll("enabled_events[]").length === 0) {
        return { status: 400, body: { error: { message: "Missing required param: url.", param: "url" } } };
      }
      const endpoint = {
        id: this.id("we_"),
        object: "webhook_endpoint",
        url,
        secret: `whsec_${randomUUID().replace(/-/g, "")}`,
      };
      this.live.set(endpoint.id, { ...endpoint, description: c.form.get("description") });
      return {
        status: 200,
        body: { ...endpoint, enabled_events: c.form.getAll("enabled_events[]"), status: "enabled" },
      };
    }
    const held = id ? this.live.get(id) : undefined;
    if (!held) return { status: 404, body: { error: { message: `No such webhook endpoint: '${id}'` } } };
    if (c.method === "POST") {
      held.url = c.form.get("url") ?? held.url;
      return { status: 200, body: { id, object: "webhook_endpoint", url: held.url } };
    }
    if (c.method === "DELETE") {
      this.live.delete(id as string);
      return { status: 200, body: { id, object: "webhook_endpoint", deleted: true } };
    }
    return missing("route");
  }
}

/** GitHub: JSON repository hooks; a ping signed with the hook's secret follows each creation. */
export class FakeGithub extends FakeApi {
  key = "ghp_fakeTokenForTests0000000000000000";

  protected async route(c: Call): Promise<Reply> {
    if (bearer(c) !== this.key) return { status: 401, body: { message: "Bad credentials" } };
    const match = /^\/(repos\/[^/]+\/[^/]+|orgs\/[^/]+)\/hooks(?:\/(\d+))?$/.exec(c.path);
    if (!match) return { status: 404, body: { message: "Not Found" } };
    const id = match[2];
    if (c.method === "GET" && !id) {
      return {
        status: 200,
        body: [...this.live.entries()].map(([hid, h]) => ({
          id: Number(hid),
          name: "web",
          config: { url: h.url, content_type: "json" },
        })),
      };
    }
    if (c.method === "POST" && !id) {
      const { config } = c.json ?? {};
      if (!config?.url)
        return {
          status: 422,
          body: {
            message: "Validation Failed",
            errors: [{ resource: "Hook", code: "custom", message: "Config must have a url" }],
          },
        };
      const hookId = String(12_000_000 + this.live.size + this.calls.length);
      this.live.set(hookId, { url: config.url, secret: config.secret, events: c.json.events });
      void this.ping(hookId);
      return {
        status: 201,
        body: {
          id: Number(hookId),
          type: "Repository",
          name: "web",
          active: true,
          config: { ...config, secret: "********" },
        },
      };
    }
    const held = id ? this.live.get(id) : undefined;
    if (!held) return { status: 404, body: { message: "Not Found" } };
    if (c.method === "PATCH") {
      Object.assign(held, { url: c.json.config.url, secret: c.json.config.secret });
      return { status: 200, body: { id: Number(id), config: { url: held.url } } };
    }
    if (c.method === "DELETE") {
      this.live.delete(id as string);
      return { status: 204 };
    }
    return missing("route");
  }

  private async ping(hookId: string): Promise<void> {
    const held = this.live.get(hookId);
    if (!held) return;
    const body = JSON.stringify({
      zen: "Keep it logically awesome.",
      hook_id: Number(hookId),
      hook: { type: "Repository", id: Number(hookId) },
    });
    const deliveryId = randomUUID();
    const headers = getProvider("github").sign({
      body: Buffer.from(body),
      secret: held.secret ?? "",
      timestamp: new Date(),
      deliveryId,
    });
    await this.toCallback(held.url, {
      method: "POST",
      headers: { ...headers, "x-github-event": "ping", "content-type": "application/json" },
      body,
    });
  }
}

/** Telegram: one webhook per bot, the token in the path, {ok, result} answers. */
export class FakeTelegram extends FakeApi {
  key = "123456789:AAFakeTokenForTheTestsOnly_abcdefghij";
  webhook = { url: "", secret: undefined as string | undefined };

  protected route(c: Call): Reply {
    const match = /^\/bot([^/]+)\/(\w+)$/.exec(c.path);
    if (!match || match[1] !== this.key)
      return { status: 401, body: { ok: false, error_code: 401, description: "Unauthorized" } };
    const body = c.json ?? Object.fromEntries(c.form);
    switch (match[2]) {
      case "getWebhookInfo":
        return {
          status: 200,
          body: {
            ok: true,
            result: { url: this.webhook.url, has_custom_certificate: false, pending_update_count: 0 },
          },
        };
      case "setWebhook":
        if (!body.url)
          return {
            status: 400,
            body: {
              ok: false,
              error_code: 400,
              description: "Bad Request: bad webhook: URL must be provided",
            },
          };
        this.webhook = { url: body.url, secret: body.secret_token };
        this.sync();
        return { status: 200, body: { ok: true, result: true, description: "Webhook was set" } };
      case "deleteWebhook":
        this.webhook = { url: "", secret: undefined };
        this.sync();
        return { status: 200, body: { ok: true, result: true, description: "Webhook was deleted" } };
      default:
        return { status: 404, body: { ok: false, error_code: 404, description: "Not Found" } };
    }
  }

  private sync(): void {
    this.live.clear();
    if (this.webhook.url) this.live.set("webhook", { ...this.webhook });
  }
}

/** Twitch: client-credentials token, then EventSub subscriptions confirmed by a signed challenge. */
export class FakeTwitch extends FakeApi {
  key = "fakeclientid0000000000000000";
  clientSecret = "fakeclientsecret00000000000000";
  private readonly token = `app_${randomUUID().replace(/-/g, "")}`;

  protected async route(c: Call): Promise<Reply> {
    if (c.method === "POST" && c.path === "/oauth2/token") {
      const f = c.form;
      if (
        f.get("client_id") !== this.key ||
        f.get("client_secret") !== this.clientSecret ||
        f.get("grant_type") !== "client_credentials"
      ) {
        return { status: 403, body: { status: 403, message: "invalid client secret" } };
      }
      return { status: 200, body: { access_token: this.token, expires_in: 5_000_000, token_type: "bearer" } };
    }
    if (bearer(c) !== this.token || c.headers["client-id"] !== this.key) {
      return { status: 401, body: { error: "Unauthorized", status: 401, message: "Invalid OAuth token" } };
    }
    if (c.path !== "/helix/eventsub/subscriptions") return missing("route");
    if (c.method === "POST") return this.subscribe(c);
    if (c.method === "GET") {
      const data = [...this.live.entries()].map(([sid, l]) => ({
        id: sid,
        status: l.status,
        type: l.type,
        transport: { method: "webhook", callback: l.url },
      }));
      return {
        status: 200,
        body: { data, total: data.length, total_cost: 0, max_total_cost: 10_000, pagination: {} },
      };
    }
    if (c.method === "DELETE") {
      const id = c.query.get("id") ?? "";
      if (!this.live.delete(id))
        return { status: 404, body: { error: "Not Found", status: 404, message: "subscription not found" } };
      return { status: 204 };
    }
    return missing("route");
  }

  private subscribe(c: Call): Reply {
    const { type, version, condition, transport } = c.json ?? {};
    if (!type || !version || !condition || transport?.method !== "webhook" || !transport.callback) {
      return {
        status: 400,
        body: { error: "Bad Request", status: 400, message: "missing or invalid field" },
      };
    }
    if (
      typeof transport.secret !== "string" ||
      transport.secret.length < 10 ||
      transport.secret.length > 100
    ) {
      return {
        status: 400,
        body: { error: "Bad Request", status: 400, message: "secret must be between 10 and 100 characters" },
      };
    }
    const id = randomUUID();
    this.live.set(id, {
      url: transport.callback,
      secret: transport.secret,
      type,
      status: "webhook_callback_verification_pending",
    });
    void this.challenge(id, type, version);
    const sub = {
      id,
      status: "webhook_callback_verification_pending",
      type,
      version,
      condition,
      created_at: new Date().toISOString(),
      transport: { method: "webhook", callback: transport.callback },
      cost: 0,
    };
    return {
      status: 202,
      body: { data: [sub], total: this.live.size, total_cost: 0, max_total_cost: 10_000 },
    };
  }

  private async challenge(id: string, type: string, version: string): Promise<void> {
    const held = this.live.get(id);
    if (!held) return;
    const challenge = `pogchamp-kappa-${id.slice(0, 8)}`;
    const body = JSON.stringify({
      challenge,
      subscription: { id, status: "webhook_callback_verification_pending", type, version },
    });
    const headers = getProvider("twitch").sign({
      body: Buffer.from(body),
      secret: held.secret ?? "",
      timestamp: new Date(),
    });
    const answer = await this.toCallback(held.url, {
      method: "POST",
      headers: { ...headers, "content-type": "application/json" },
      body,
    });
    if (answer.status === 200 && answer.body === challenge) held.status = "enabled";
  }
}

/** A WebSub hub: 202, then a GET to the callback whose echoed challenge proves intent. */
export class FakeHub extends FakeApi {
  protected async route(c: Call): Promise<Reply> {
    if (c.method !== "POST" || c.path !== "/subscribe") return missing("route");
    const mode = c.form.get("hub.mode");
    const topic = c.form.get("hub.topic");
    const callback = c.form.get("hub.callback");
    if ((mode !== "subscribe" && mode !== "unsubscribe") || !topic || !callback) {
      return {
        status: 400,
        body: "hub.mode, hub.topic and hub.callback are required",
        headers: { "content-type": "text/plain" },
      };
    }
    void this.verify(mode, topic, callback, c.form);
    return { status: 202, body: "", headers: { "content-type": "text/plain" } };
  }

  private async verify(mode: string, topic: string, callback: string, form: URLSearchParams): Promise<void> {
    const challenge = randomUUID();
    const query = new URLSearchParams({ "hub.mode": mode, "hub.topic": topic, "hub.challenge": challenge });
    if (mode === "subscribe") query.set("hub.lease_seconds", form.get("hub.lease_seconds") ?? "432000");
    const target = `${callback}${callback.includes("?") ? "&" : "?"}${query}`;
    const answer = await this.toCallback(target, { method: "GET" });
    if (answer.status !== 200 || answer.body !== challenge) return;
    if (mode === "subscribe")
      this.live.set(callback, { url: callback, secret: form.get("hub.secret") ?? undefined, topic });
    else this.live.delete(callback);
  }
}

/** PayPal: Basic-auth token, then /v1/notifications/webhooks (JSON Patch to update). */
export class FakePaypal extends FakeApi {
  key = "AfakeClientIdForTests";
  clientSecret = "EfakeClientSecretForTests";
  private readonly token = `A21AA${randomUUID().replace(/-/g, "")}`;

  protected route(c: Call): Reply {
    if (c.method === "POST" && c.path === "/v1/oauth2/token") {
      const basic = `Basic ${Buffer.from(`${this.key}:${this.clientSecret}`).toString("base64")}`;
      if (c.headers.authorization !== basic || c.form.get("grant_type") !== "client_credentials") {
        return {
          status: 401,
          body: { error: "invalid_client", error_description: "Client Authentication failed" },
        };
      }
      return { status: 200, body: { access_token: this.token, token_type: "Bearer", expires_in: 32_400 } };
    }
    if (bearer(c) !== this.token)
      return {
        status: 401,
        body: {
          name: "AUTHENTICATION_FAILURE",
          message:
            "Authentication failed due to invalid authentication credentials or a missing Authorization header.",
        },
      };
    const id = /^\/v1\/notifications\/webhooks\/([^/]+)$/.exec(c.path)?.[1];
    if (c.method === "GET" && c.path === "/v1/notifications/webhooks") {
      return {
        status: 200,
        body: {
          webhooks: [...this.live.entries()].map(([wid, w]) => ({
            id: wid,
            url: w.url,
            event_types: w.events,
          })),
        },
      };
    }
    if (c.method === "POST" && c.path === "/v1/notifications/webhooks") {
      const { url, event_types } = c.json ?? {};
      if (!url || !Array.isArray(event_types) || event_types.length === 0) {
        return {
          status: 400,
          body: {
            name: "INVALID_REQUEST",
            message: "Request is not well-formed, syntactically incorrect, or violates schema.",
            details: [{ field: "url", issue: "MISSING_REQUIRED_PARAMETER" }],
          },
        };
      }
      const webhookId = this.id("8PT597110X68").slice(0, 17);
      this.live.set(webhookId, { url, events: event_types });
      return { status: 201, body: { id: webhookId, url, event_types } };
    }
    const held = id ? this.live.get(id) : undefined;
    if (!held)
      return { status: 404, body: { name: "INVALID_RESOURCE_ID", message: "Webhook id does not exist" } };
    if (c.method === "PATCH") {
      const op = Array.isArray(c.json) ? c.json.find((p: { path: string }) => p.path === "/url") : undefined;
      if (op?.op !== "replace")
        return { status: 400, body: { name: "INVALID_REQUEST", message: "bad patch" } };
      held.url = op.value;
      return { status: 200, body: { id, url: held.url } };
    }
    if (c.method === "DELETE") {
      this.live.delete(id as string);
      return { status: 204 };
    }
    return missing("route");
  }
}

export const PADDLE_EVENTS = [
  "transaction.created",
  "transaction.completed",
  "subscription.created",
  "subscription.canceled",
];

/** Paddle: Bearer key, GET /event-types, /notification-settings with endpoint_secret_key. */
export class FakePaddle extends FakeApi {
  key = "pdl_sdbx_apikey_fakeKeyForTheTests0000";

  protected route(c: Call): Reply {
    if (bearer(c) !== this.key) {
      return {
        status: 403,
        body: {
          error: { type: "request_error", code: "invalid_token", detail: "Invalid or revoked API key." },
        },
      };
    }
    if (c.method === "GET" && c.path === "/event-types") {
      return {
        status: 200,
        body: {
          data: PADDLE_EVENTS.map((name) => ({
            name,
            description: name,
            group: "x",
            available_versions: [1],
          })),
        },
      };
    }
    const id = /^\/notification-settings\/([^/]+)$/.exec(c.path)?.[1];
    if (c.method === "GET" && c.path === "/notification-settings") {
      const data = [...this.live.entries()].map(([nid, n]) => ({
        id: nid,
        description: n.description,
        type: "url",
        destination: n.url,
        active: n.active,
      }));
      return { status: 200, body: { data } };
    }
    if (c.method === "POST" && c.path === "/notification-settings") {
      const j = c.json ?? {};
      if (
        j.type !== "url" ||
        !j.destination ||
        !Array.isArray(j.subscribed_events) ||
        j.subscribed_events.some((e: string) => !PADDLE_EVENTS.includes(e))
      ) {
        return {
          status: 400,
          body: {
            error: {
              type: "request_error",
              code: "bad_request",
              detail: "Invalid request.",
              errors: [{ field: "subscribed_events", message: "unknown event type" }],
            },
          },
        };
      }
      const setting = {
        id: this.id("ntfset_01"),
        endpoint_secret_key: `pdl_ntfset_${this.id("01")}_${randomUUID().replace(/-/g, "")}`,
      };
      this.live.set(setting.id, {
        url: j.destination,
        secret: setting.endpoint_secret_key,
        description: j.description,
        events: j.subscribed_events,
        active: j.active,
      });
      return {
        status: 201,
        body: {
          data: {
            ...setting,
            description: j.description,
            type: "url",
            destination: j.destination,
            active: true,
            api_version: 1,
            subscribed_events: j.subscribed_events.map((name: string) => ({ name })),
          },
        },
      };
    }
    const held = id ? this.live.get(id) : undefined;
    if (!held)
      return {
        status: 404,
        body: { error: { type: "request_error", code: "not_found", detail: "Entity not found" } },
      };
    if (c.method === "PATCH") {
      held.url = c.json?.destination ?? held.url;
      return { status: 200, body: { data: { id, destination: held.url } } };
    }
    if (c.method === "DELETE") {
      this.live.delete(id as string);
      return { status: 204 };
    }
    return missing("route");
  }
}
