import { UsageError } from "../errors.js";
import { exactEvents, removeOrGone } from "./context.js";
import { MARKER, type RegisterContext, type Registrar } from "./types.js";

const auth = (ctx: RegisterContext) => ({ authorization: `Bearer ${ctx.credentials.key}` });
const endpoint = (ctx: RegisterContext, id = "") => `${ctx.base}/v1/webhook_endpoints${id ? `/${id}` : ""}`;

export const stripeRegistrar: Registrar = {
  name: "stripe",
  identity: {
    api: "Stripe API",
    keySource: "--api-key or STRIPE_API_KEY",
    scope: "the Webhook Endpoints write permission (restricted keys: rak_webhook_write)",
  },
  origin: () => "https://api.stripe.com",
  variables: ["STRIPE_API_KEY"],
  manual:
    "add the endpoint at https://dashboard.stripe.com/test/webhooks and pass its signing secret with --secret",
  takesSecret: false,
  keyedBy: "id",

  check(flags, { key }) {
    // A live endpoint receives real customers' events: never by accident.
    if (/^(sk|rk)_live_/.test(key) && !flags.live) {
      throw new UsageError(
        "--register: that is a live Stripe key; hook would send live events to a temporary tunnel",
        "use a test key (sk_test_...), or pass --live if you really mean it",
      );
    }
  },

  async create(ctx, target) {
    const form: [string, string][] = [
      ["url", target.url],
      ["description", MARKER],
      // Stripe takes exact event names or `*`; it has no API that lists them, so a pattern means all.
      ...(exactEvents(ctx.flags.events) ?? ["*"]).map((e): [string, string] => ["enabled_events[]", e]),
    ];
    const req = { method: "POST" as const, url: endpoint(ctx), headers: auth(ctx), form };
    const { json } = await ctx.call(req, "create the webhook endpoint");
    const answer = json as { id?: string; secret?: string } | undefined;
    if (!answer?.id || !answer.secret) throw new Error("Stripe's answer has no id or secret");
    return { id: answer.id, secret: answer.secret };
  },

  async update(ctx, entry, target) {
    const req = {
      method: "POST" as const,
      url: endpoint(ctx, entry.id),
      headers: auth(ctx),
      form: [["url", target.url]] as [string, string][],
    };
    await ctx.call(req, "update the webhook endpoint");
    return { id: entry.id as string };
  },

  async find(ctx, entry) {
    const req = { method: "GET" as const, url: `${endpoint(ctx)}?limit=100`, headers: auth(ctx) };
    const { json } = await ctx.call(req, "list the webhook endpoints");
    const list =
      (json as { data?: { id: string; url?: string; description?: string }[] } | undefined)?.data ?? [];
    return list.find((e) => e.url === entry.url && e.description === MARKER)?.id;
  },

  remove: (ctx, entry) =>
    removeOrGone(
      ctx,
      { method: "DELETE", url: endpoint(ctx, entry.id), headers: auth(ctx) },
      "delete the webhook endpoint",
    ),
};
