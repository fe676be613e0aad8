import { UsageError } from "../errors.js";
import { parseDuration } from "../units.js";
import type { RegisterContext, Registrar } from "./types.js";

const GOOGLE_HUB = "https://pubsubhubbub.appspot.com/subscribe";
/** Ten days asked for: longer than a dev session, so no renewal; a hub may grant less (and says so in its GET). */
const LEASE_SECONDS = 864_000;

const leaseSeconds = (ctx: RegisterContext) =>
  ctx.flags.lease ? Math.max(1, Math.round(parseDuration(ctx.flags.lease, "--lease") / 1000)) : LEASE_SECONDS;

const hubPath = (flags: RegisterContext["flags"]) => {
  const hub = new URL(flags.hub ?? GOOGLE_HUB);
  return `${hub.pathname}${hub.search}`;
};

/** A form POST to the hub; it answers 202 and then asks the callback, by GET, whether we meant it. */
async function ask(
  ctx: RegisterContext,
  path: string,
  form: [string, string][],
  doing: string,
): Promise<void> {
  await ctx.call({ method: "POST", url: `${ctx.base}${path}`, form }, doing);
}

export const websubRegistrar: Registrar = {
  name: "websub",
  identity: {
    api: "WebSub hub",
    keySource: "(no key: the hub takes anyone's subscription)",
    scope: "nothing (hubs take no key)",
  },
  origin: (_credentials, flags) => new URL(flags?.hub ?? GOOGLE_HUB).origin,
  variables: [],
  manual:
    "subscribe at https://pubsubhubbub.appspot.com/subscribe with the public URL as callback and pass hub.secret with --secret",
  takesSecret: true,
  keyedBy: "url",
  removalCheck: /[?&]hub\.mode=unsubscribe(&|$)/,

  check(flags) {
    if (!flags.topic) {
      throw new UsageError(
        "--register with websub needs --topic URL",
        "a YouTube channel's feed: https://www.youtube.com/xml/feeds/videos.xml?channel_id=UC...",
      );
    }
    if (flags.lease) parseDuration(flags.lease, "--lease");
  },

  // At nine tenths of the lease, so a slow hub still renews it in time.
  renewAfterMs: (ctx) => leaseSeconds(ctx) * 900,

  scope: (ctx) => ({ path: hubPath(ctx.flags), topic: ctx.flags.topic as string }),

  async create(ctx, target, scope) {
    const lease = leaseSeconds(ctx);
    await ask(
      ctx,
      scope.path as string,
      [
        ["hub.mode", "subscribe"],
        ["hub.topic", scope.topic as string],
        ["hub.callback", target.url],
        ["hub.secret", target.secret],
        ["hub.lease_seconds", String(lease)],
      ],
      "take the subscription",
    );
    return { id: scope.topic as string };
  },

  // A new subscription for the new callback; the old callback is gone with the old tunnel.
  async update(ctx, entry, target) {
    await this.remove(ctx, entry).catch(() => undefined);
    return this.create(ctx, target, entry.scope);
  },

  async remove(ctx, entry) {
    const form: [string, string][] = [
      ["hub.mode", "unsubscribe"],
      ["hub.topic", entry.scope.topic as string],
      ["hub.callback", entry.url],
    ];
    await ask(ctx, entry.scope.path as string, form, "end the subscription");
    return "removed";
  },
};
