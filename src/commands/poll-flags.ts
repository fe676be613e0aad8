import { DATA_DIR, JSON_LINES, type OptionsOf, repeatable, SECRET, toggle, value } from "./options.js";

export const POLL_FLAGS = {
  provider: value("--provider <name>", "stripe, github, liqpay or http"),
  apiKey: value("--api-key <key>", "API key (default: STRIPE_API_KEY, GITHUB_TOKEN, LIQPAY_PRIVATE_KEY)"),
  apiBase: value("--api-base <url>", "API address (for proxies and tests)"),
  forwardTo: value("-f, --forward-to <url>", "deliver each event to this URL"),
  ...SECRET,
  interval: value("--interval <duration>", "time between polls", "30s"),
  once: toggle("--once", "one pass, then exit (for cron)"),
  since: value("--since <duration|all>", "first run: backfill this far back (default: from now)"),
  types: value("--types <patterns>", "only these event types"),
  state: value("--state <file>", "state file (default: <data-dir>/poll/<provider>-<source>.json)"),
  ...DATA_DIR,
  timeout: value("--timeout <duration>", "per-request timeout", "30s"),
  repo: value("--repo <owner/name>", "github: a repository's events"),
  org: value("--org <org>", "github: an organisation's events"),
  user: value("--user <user>", "github: a user's events"),
  publicKey: value("--public-key <key>", "liqpay: public key"),
  order: repeatable("--order <id>", "liqpay: order id to follow; repeatable"),
  url: value("--url <url>", "http: the API URL that lists events"),
  items: value("--items <path>", "http: where the list is in the answer, e.g. data.items"),
  id: value("--id <path>", "http: each item's id field"),
  time: value("--time <path>", "http: each item's time field (for ordering and --since)"),
  cursorParam: value("--cursor-param <name>", "http: query parameter that takes the last id seen"),
  header: repeatable("--header <header>", "http: extra header 'K: V'; repeatable"),
  ...JSON_LINES,
};

export type PollOptions = OptionsOf<typeof POLL_FLAGS>;
