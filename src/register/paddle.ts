import { removeOrGone, selectEvents } from "./context.js";
import { MARKER, type RegisterContext, type Registrar } from "./types.js";

const auth = (ctx: RegisterContext) => ({ authorization: `Bearer ${ctx.credentials.key}` });
const setting = (ctx: RegisterContext, id = "") => `${ctx.base}/notification-settings${id ? `/${id}` : ""}`;

/** Paddle takes exact names only and has no wildcard: every type its GET /event-types lists, or those --events picks. */
async function subscribedEvents(ctx: RegisterContext): Promise<string[]> {
  const req = { method: "GET" as const, url: `${ctx.base}/event-types`, headers: auth(ctx) };
  const { json } = await ctx.call(req, "list its event types");
  const names = ((json as { data?: { name?: unknown }[] } | undefined)?.data ?? [])
    .map((t) => t.name)
    .filter((n): n is string => typeof n === "string");
  return ctx.flags.events ? selectEvents(ctx.flags.events, names, "Paddle") : names;
}

export const paddleRegistrar: Registrar = {
  name: "paddle",
  identity: {
    api: "Paddle API",
    keySource: "--api-key or PADDLE_API_KEY",
    scope: "the notification settings write permission (notification_setting.write)",
    // Paddle's "Invalid or revoked API key" is a 403 with this code.
    badKey: (answer) =>
      (answer.json as { error?: { code?: string } } | undefined)?.error?.code === "invalid_token",
  },
  // A sandbox key works only against the sandbox API.
  origin: ({ key }) => (key.includes("_sdbx_") ? "https://sandbox-api.paddle.com" : "https://api.paddle.com"),
  variables: ["PADDLE_API_KEY"],
  manual:
    "add a destination in Paddle > Developer tools > Notifications and pass its secret key with --secret",
  takesSecret: false,
  keyedBy: "id",

  async create(ctx, target) {
    const json = {
      description: MARKER,
      type: "url",
      destination: target.url,
      subscribed_events: await subscribedEvents(ctx),
      active: true,
    };
    const req = { method: "POST" as const, url: setting(ctx), headers: auth(ctx), json };
    const answer = await ctx.call(req, "create the notification destination");
    const data = (answer.json as { data?: { id?: string; endpoint_secret_key?: string } } | undefined)?.data;
    if (!data?.id || !data.endpoint_secret_key)
      throw new Error("Paddle's answer has no id or endpoint_secret_key");
    return { id: data.id, secret: data.endpoint_secret_key };
  },

  async update(ctx, entry, target) {
    const req = {
      method: "PATCH" as const,
      url: setting(ctx, entry.id),
      headers: auth(ctx),
      json: { destination: target.url },
    };
    await ctx.call(req, "update the notification destination");
    return { id: entry.id as string };
  },

  async find(ctx, entry) {
    const { json } = await ctx.call(
      { method: "GET", url: setting(ctx), headers: auth(ctx) },
      "list the notification destinations",
    );
    const list =
      (json as { data?: { id: string; destination?: string; description?: string }[] } | undefined)?.data ??
      [];
    return list.find((s) => s.destination === entry.url && s.description === MARKER)?.id;
  },

  remove: (ctx, entry) =>
    removeOrGone(
      ctx,
      { method: "DELETE", url: setting(ctx, entry.id), headers: auth(ctx) },
      "delete the notification destination",
    ),
};
