import { appToken, removeOrGone, selectEvents } from "./context.js";
import type { RegisterContext, Registrar } from "./types.js";

async function headers(ctx: RegisterContext): Promise<Record<string, string>> {
  const token = await appToken(ctx, async () => {
    const basic = Buffer.from(`${ctx.credentials.key}:${ctx.credentials.secret ?? ""}`).toString("base64");
    const req = {
      method: "POST" as const,
      url: `${ctx.base}/v1/oauth2/token`,
      headers: { authorization: `Basic ${basic}` },
      form: [["grant_type", "client_credentials"]] as [string, string][],
    };
    return (await ctx.call(req, "give an access token")).json;
  });
  return { authorization: `Bearer ${token}` };
}

const webhooks = (ctx: RegisterContext, id = "") =>
  `${ctx.base}/v1/notifications/webhooks${id ? `/${id}` : ""}`;

/** `*` is PayPal's wildcard; other patterns are expanded against its list of event types. */
async function eventTypes(ctx: RegisterContext): Promise<{ name: string }[]> {
  const patterns = ctx.flags.events;
  if (!patterns || patterns.includes("*")) return [{ name: "*" }];
  if (!patterns.some((p) => p.includes("*"))) return patterns.map((name) => ({ name }));
  const req = {
    method: "GET" as const,
    url: `${ctx.base}/v1/notifications/webhooks-event-types`,
    headers: await headers(ctx),
  };
  const { json } = await ctx.call(req, "list its event types");
  const names = ((json as { event_types?: { name?: unknown }[] } | undefined)?.event_types ?? [])
    .map((t) => t.name)
    .filter((n): n is string => typeof n === "string");
  return selectEvents(patterns, names, "PayPal").map((name) => ({ name }));
}

export const paypalRegistrar: Registrar = {
  name: "paypal",
  identity: {
    api: "PayPal API",
    keySource: "PAYPAL_CLIENT_ID and PAYPAL_CLIENT_SECRET (or --api-key ID:SECRET)",
    scope: "an app with the webhooks feature (My Apps & Credentials > the app > Features)",
  },
  // The sandbox unless --live, as with Stripe's live keys: a temporary tunnel is no place for real payments.
  origin: (_credentials, flags) =>
    flags?.live ? "https://api-m.paypal.com" : "https://api-m.sandbox.paypal.com",
  variables: ["PAYPAL_CLIENT_ID", "PAYPAL_CLIENT_SECRET"],
  manual:
    "add the webhook in the developer dashboard (My Apps & Credentials > the app > Webhooks) and pass its id with --webhook-id",
  takesSecret: false,
  // Until PayPal gives the id nothing can verify, and nothing is sent to the URL yet either.
  placeholder: { webhookId: "(not registered yet)" },
  keyedBy: "id",

  async create(ctx, target) {
    const json = { url: target.url, event_types: await eventTypes(ctx) };
    const req = { method: "POST" as const, url: webhooks(ctx), headers: await headers(ctx), json };
    const { json: answer } = await ctx.call(req, "create the webhook");
    const id = (answer as { id?: string } | undefined)?.id;
    if (!id) throw new Error("PayPal's answer has no webhook id");
    // The webhook id is part of what PayPal signs: verification needs it, not a secret.
    return { id, options: { webhookId: id } };
  },

  async update(ctx, entry, target) {
    const json = [{ op: "replace", path: "/url", value: target.url }];
    await ctx.call(
      { method: "PATCH", url: webhooks(ctx, entry.id), headers: await headers(ctx), json },
      "update the webhook",
    );
    return { id: entry.id as string };
  },

  async find(ctx, entry) {
    const { json } = await ctx.call(
      { method: "GET", url: webhooks(ctx), headers: await headers(ctx) },
      "list the webhooks",
    );
    const list = (json as { webhooks?: { id: string; url?: string }[] } | undefined)?.webhooks ?? [];
    return list.find((w) => w.url === entry.url)?.id;
  },

  remove: async (ctx, entry) =>
    removeOrGone(
      ctx,
      { method: "DELETE", url: webhooks(ctx, entry.id), headers: await headers(ctx) },
      "delete the webhook",
    ),
};
