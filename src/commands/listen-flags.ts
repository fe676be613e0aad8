import {
  DATA_DIR,
  FORWARD_SECRET,
  JSON_LINES,
  negation,
  type OptionsOf,
  PROVIDER_SHAPE,
  SECRET,
  toggle,
  value,
} from "./options.js";

/** `hook listen --register` and the flags it reads (design/register.md). */
const REGISTER = {
  register: toggle("--register", "register the public URL with the provider's API; removed again on exit"),
  apiKey: value(
    "--api-key <key>",
    "--register/--reconcile/--confirm: the provider's API key (default: its variable, e.g. STRIPE_API_KEY)",
  ),
  apiBase: value(
    "--api-base <url>",
    "--register/--reconcile/--confirm: API origin (for sandboxes and stand-ins)",
  ),
  path: value("--path <path>", "--register: appended to the registered URL"),
  publicUrl: value("--public-url <url>", "--register: register this URL instead of the tunnel's"),
  replace: toggle("--replace", "--register: take over a Telegram bot's webhook (set back on exit)"),
  keep: toggle("--keep", "--register: leave the registration in place on exit"),
  live: toggle("--live", "--register: allow a Stripe live key, or PayPal's live API"),
  repo: value("--repo <owner/name>", "--register/--reconcile github: the repository"),
  org: value("--org <org>", "--register/--reconcile github: the organisation"),
  type: value("--type <type>", "--register twitch: the EventSub subscription type"),
  condition: value("--condition <json>", "--register twitch: the subscription's condition"),
  typeVersion: value(
    "--type-version <version>",
    "--register twitch: the subscription type's version (default 1)",
  ),
  hub: value("--hub <url>", "--register websub: the hub (default: Google's, for YouTube)"),
  topic: value("--topic <url>", "--register websub: the feed to subscribe to"),
  lease: value("--lease <duration>", "--register websub: how long the subscription lasts (default 10d)"),
};

/** listen --reconcile / --confirm: the provider's events API beside the webhooks (docs/reconcile.md). */
const RECONCILE = {
  reconcile: toggle(
    "--reconcile",
    "also read the provider's events API and deliver the events no webhook brought",
  ),
  every: value("--every <duration>", "--reconcile: time between looks at the API (default 5m)"),
  since: value(
    "--since <duration|all>",
    "--reconcile, first run: catch up this far back (default: from now)",
  ),
  forwardDuplicates: toggle(
    "--forward-duplicates",
    "--reconcile: still forward a webhook whose event the app already has",
  ),
  confirm: toggle("--confirm", "stripe: forward a webhook only when the API knows its event (else 401)"),
};

export const LISTEN_FLAGS = {
  port: value("-p, --port <port>", "port to listen on", "4665"),
  host: value("--host <host>", "address to bind", "127.0.0.1"),
  forwardTo: value("-f, --forward-to <url>", "forward each accepted request to this URL"),
  provider: value("--provider <name>", "verify signatures for this provider (see `hook providers`)"),
  ...SECRET,
  ...FORWARD_SECRET,
  tolerance: value("--tolerance <duration>", "timestamp window, overriding the provider's"),
  events: value(
    "--events <patterns>",
    "only forward these event types, e.g. payment_intent.*,charge.refunded",
  ),
  save: value("--save <dir>", "save every request as a fixture file in DIR"),
  durable: toggle("--durable", "persist to .hook/ before answering 202, deliver with retries"),
  retry: value("--retry <schedule>", "retry schedule for --durable", "1s,5s,30s,2m,10m,1h"),
  giveUpAfter: value(
    "--give-up-after <duration>",
    "--durable: move an entry still failing this long to dead/",
    "24h",
  ),
  timeout: value("--timeout <duration>", "how long to wait for the target", "30s"),
  maxBody: value("--max-body <size>", "largest body accepted", "10mb"),
  tunnel: negation("--no-tunnel", "do not open a public tunnel"),
  tunnelToken: value("--tunnel-token <token>", "cloudflared named-tunnel token (stable hostname)"),
  cloudflared: value("--cloudflared <path>", "cloudflared binary to use"),
  ...DATA_DIR,
  inspectPort: value(
    "--inspect-port <port>",
    "port of the inspector page on 127.0.0.1 (default 4666; 0 picks a free one)",
  ),
  inspect: negation("--no-inspect", "do not serve the inspector page"),
  ...JSON_LINES,
  ...REGISTER,
  ...RECONCILE,
  ...PROVIDER_SHAPE,
};

export type ListenOptions = OptionsOf<typeof LISTEN_FLAGS>;
