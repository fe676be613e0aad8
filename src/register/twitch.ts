import { UsageError } from "../errors.js";
import { appToken, removeOrGone } from "./context.js";
import type { RegisterContext, Registrar, Target } from "./types.js";

const API = "https://api.twitch.tv";
// Tokens come from id.twitch.tv; with --api-base both go to the stand-in.
const idBase = (ctx: RegisterContext) => (ctx.base === API ? "https://id.twitch.tv" : ctx.base);

async function headers(ctx: RegisterContext): Promise<Record<string, string>> {
  const token = await appToken(ctx, async () => {
    const form: [string, string][] = [
      ["client_id", ctx.credentials.key],
      ["client_secret", ctx.credentials.secret ?? ""],
      ["grant_type", "client_credentials"],
    ];
    return (
      await ctx.call({ method: "POST", url: `${idBase(ctx)}/oauth2/token`, form }, "give an app access token")
    ).json;
  });
  return { authorization: `Bearer ${token}`, "client-id": ctx.credentials.key };
}

const subscriptions = (ctx: RegisterContext, id = "") =>
  `${ctx.base}/helix/eventsub/subscriptions${id ? `?id=${encodeURIComponent(id)}` : ""}`;

async function subscribe(ctx: RegisterContext, target: Target): Promise<{ id: string }> {
  const { type, version, condition } = ctx.flags;
  const json = {
    type,
    version: version ?? "1",
    condition: JSON.parse(condition ?? "{}"),
    transport: { method: "webhook", callback: target.url, secret: target.secret },
  };
  const req = { method: "POST" as const, url: subscriptions(ctx), headers: await headers(ctx), json };
  const { json: answer } = await ctx.call(req, "create the EventSub subscription");
  const id = (answer as { data?: { id?: string }[] } | undefined)?.data?.[0]?.id;
  if (!id) throw new Error("Twitch's answer has no subscription id");
  return { id };
}

export const twitchRegistrar: Registrar = {
  name: "twitch",
  identity: {
    api: "Twitch API",
    keySource: "TWITCH_CLIENT_ID and TWITCH_CLIENT_SECRET (or --api-key ID:SECRET)",
    scope:
      "an app whose token may read what the subscription type needs (see the type's authorization in Twitch's docs)",
  },
  origin: () => API,
  variables: ["TWITCH_CLIENT_ID", "TWITCH_CLIENT_SECRET"],
  manual:
    "create the subscription with POST https://api.twitch.tv/helix/eventsub/subscriptions and pass its secret with --secret",
  takesSecret: true,
  keyedBy: "id",

  check(flags) {
    if (!flags.type)
      throw new UsageError(
        "--register with twitch needs --type",
        "for example --type channel.follow --version 2",
      );
    let condition: unknown;
    try {
      condition = JSON.parse(flags.condition ?? "");
    } catch {
      throw new UsageError(
        "--register with twitch needs --condition JSON",
        `for example --condition '{"broadcaster_user_id":"1234"}'`,
      );
    }
    if (typeof condition !== "object" || condition === null || Array.isArray(condition)) {
      throw new UsageError("--condition must be a JSON object");
    }
  },

  create: (ctx, target) => subscribe(ctx, target),

  // EventSub has no update: delete, then create (a new id), so a failure never leaves two behind.
  async update(ctx, entry, target) {
    await this.remove(ctx, entry);
    return subscribe(ctx, target);
  },

  async find(ctx, entry) {
    const req = { method: "GET" as const, url: subscriptions(ctx), headers: await headers(ctx) };
    const { json } = await ctx.call(req, "list the EventSub subscriptions");
    const list =
      (json as { data?: { id: string; transport?: { callback?: string } }[] } | undefined)?.data ?? [];
    return list.find((s) => s.transport?.callback === entry.url)?.id;
  },

  async remove(ctx, entry) {
    const req = { method: "DELETE" as const, url: subscriptions(ctx, entry.id), headers: await headers(ctx) };
    return removeOrGone(ctx, req, "delete the EventSub subscription");
  },
};
