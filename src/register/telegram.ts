import { UsageError } from "../errors.js";
import { exactEvents } from "./context.js";
import type { RegisterContext, Registrar } from "./types.js";

// The bot token is part of the path: these URLs are never shown (errors name the method instead).
const method = (ctx: RegisterContext, name: string) => `${ctx.base}/bot${ctx.credentials.key}/${name}`;

async function currentUrl(ctx: RegisterContext): Promise<string> {
  const { json } = await ctx.call(
    { method: "POST", url: method(ctx, "getWebhookInfo") },
    "read the bot's webhook (getWebhookInfo)",
  );
  return (json as { result?: { url?: string } } | undefined)?.result?.url ?? "";
}

export const telegramRegistrar: Registrar = {
  name: "telegram",
  identity: {
    api: "Telegram Bot API",
    keySource: "--api-key or TELEGRAM_BOT_TOKEN (the token @BotFather gave)",
    scope: "a bot token (any bot may set its own webhook)",
  },
  origin: () => "https://api.telegram.org",
  variables: ["TELEGRAM_BOT_TOKEN"],
  manual:
    "call https://api.telegram.org/bot<token>/setWebhook?url=<public URL>&secret_token=<secret> and pass the same secret with --secret",
  takesSecret: true,
  keyedBy: "url",

  check({ publicUrl }, { key }) {
    if (!/^\d+:[\w-]+$/.test(key)) {
      throw new UsageError(
        "--register: the Telegram bot token is not NUMBER:TEXT",
        "the token @BotFather gave",
      );
    }
    // Telegram's setWebhook takes https on these ports only (a quick tunnel is https on 443).
    const url = publicUrl ? new URL(publicUrl) : undefined;
    if (url && (url.protocol !== "https:" || !["", "80", "88", "8443"].includes(url.port))) {
      throw new UsageError(
        `--public-url: Telegram sends webhooks only to https on ports 443, 80, 88 or 8443, not ${url.origin}`,
      );
    }
  },

  /** A bot has one webhook: someone else's is not taken over without --replace, and is put back on exit. */
  async prepare(ctx): Promise<Record<string, string>> {
    const previous = await currentUrl(ctx);
    if (previous === "") return {};
    if (!ctx.flags.replace) {
      throw new UsageError(
        `--register: this bot already has a webhook: ${previous}`,
        "pass --replace to point it here for this run (hook sets it back on exit, but cannot restore its secret_token), or run deleteWebhook first",
      );
    }
    return { previous };
  },

  async create(ctx, target) {
    const json = {
      url: target.url,
      secret_token: target.secret,
      // Telegram's update kinds are exact names; a wildcard means its default (all but a few).
      allowed_updates: exactEvents(ctx.flags.events),
    };
    await ctx.call({ method: "POST", url: method(ctx, "setWebhook"), json }, "set the webhook (setWebhook)");
    // One webhook per bot: the bot's id (the token's public half) names it.
    return { id: `bot${ctx.credentials.key.split(":")[0]}` };
  },

  async update(ctx, entry, target) {
    await this.create(ctx, target, entry.scope);
    return { id: entry.id as string };
  },

  async remove(ctx, entry) {
    // Only our own setting is undone: a URL someone set since is theirs.
    if ((await currentUrl(ctx)) !== entry.url) return "gone";
    const previous = entry.scope.previous;
    if (previous) {
      // Its old secret_token cannot be read back: restored without one.
      await ctx.call(
        { method: "POST", url: method(ctx, "setWebhook"), json: { url: previous } },
        "restore the previous webhook",
      );
      return "restored";
    }
    await ctx.call(
      { method: "POST", url: method(ctx, "deleteWebhook"), json: {} },
      "delete the webhook (deleteWebhook)",
    );
    return "removed";
  },
};
