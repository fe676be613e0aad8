import { resolve } from "node:path";
import { UsageError } from "../errors.js";
import { githubSource } from "../poll/github.js";
import { httpSource } from "../poll/http.js";
import { liqpaySource } from "../poll/liqpay.js";
import { STRIPE_API, stripeSource } from "../poll/stripe.js";
import type { Source } from "../poll/types.js";
import { eventFilter } from "../receive/filter.js";
import type { Io } from "../ui/io.js";
import { parseDuration } from "../units.js";
import { parseHeaderFlags, secretsFrom } from "./common.js";
import type { GlobalOptions } from "./options.js";
import { toList } from "./options.js";
import type { PollOptions } from "./poll-flags.js";
import { apiKey, fromFlagEnvOrConfig, optionalKey, secretWarnings, signer } from "./poll-keys.js";
import { positiveDurationOption, urlOption } from "./values.js";

/** What building a source reads: poll's flags, of which listen --reconcile has some. */
type SourceOptions = Partial<PollOptions> & Pick<GlobalOptions, "configured">;

export interface PollSetup {
  provider: string;
  source: Source;
  /** The API's name and where its key comes from, for error messages. */
  apiName: string;
  keySource: string;
  apiHeaders: Record<string, string>;
  target: URL;
  statePath: string;
  lockPath: string;
  intervalMs: number;
  timeoutMs: number;
  since?: Date | "all";
  /** --types: whether an event type is wanted (the same matcher as listen's --events). */
  wanted: (type: string | undefined) => boolean;
  once: boolean;
  /** Problems worth a warning that do not stop the run (a Stripe sk_ key given as --secret). */
  warnings: string[];
}

/** The APIs hook poll reads (also what `hook completion` offers after `poll --provider`). */
export const PROVIDERS = ["stripe", "github", "liqpay", "http"];

/** Reads and checks every flag; a bad one is exit 2 that names it, before any lock or request. */
export function pollSetup(options: PollOptions, io: Io): PollSetup {
  const provider = (options.provider ?? "").toLowerCase();
  if (!PROVIDERS.includes(provider)) {
    throw new UsageError(
      options.provider ? `poll: unknown provider "${options.provider}"` : "poll: --provider is required",
      `hook poll works with: ${PROVIDERS.join(", ")}`,
    );
  }
  if (!options.forwardTo)
    throw new UsageError("poll: --forward-to is required", "for example -f http://localhost:3000/webhooks");
  const target = urlOption(options.forwardTo, "--forward-to");
  let statePath = "";
  const built = buildSource(provider, options, io, () => `${statePath}.spool`);
  statePath = resolve(io.cwd, options.state ?? defaultStatePath(options, provider, built.source.key));
  const types = eventFilter(options.types, "poll: --types");
  if (types && (provider === "liqpay" || provider === "http")) {
    throw new UsageError(`poll: --types applies to stripe and github, not ${provider}`);
  }
  const since = sinceOption(options.since, io.now());
  if (provider === "http" && since instanceof Date && !options.time) {
    throw new UsageError(
      "poll: --since DURATION needs --time (the item field that holds its time)",
      "or use --since all",
    );
  }
  const warnings = secretWarnings(provider, options);
  if (provider === "liqpay" && since !== undefined)
    warnings.push("--since does not apply to liqpay: each order's current status is delivered");
  if (provider === "github" && !built.apiHeaders.authorization)
    warnings.push("no GITHUB_TOKEN or --api-key: public events only, 60 requests an hour");
  return {
    ...built,
    provider,
    target,
    statePath,
    lockPath: `${statePath}.lock`,
    intervalMs: positiveDurationOption(options.interval, "--interval", "30s"),
    timeoutMs: positiveDurationOption(options.timeout, "--timeout", "30s"),
    since,
    wanted: types ?? (() => true),
    once: options.once === true,
    warnings,
  };
}

function defaultStatePath(options: PollOptions, provider: string, key: string): string {
  return `${options.dataDir}/poll/${provider}-${key.replace(/[^a-zA-Z0-9._-]+/g, "-")}.json`;
}

export function sinceOption(value: string | undefined, now: Date): Date | "all" | undefined {
  if (value === undefined) return undefined;
  if (value.toLowerCase() === "all") return "all";
  return new Date(now.getTime() - parseDuration(value, "--since"));
}

export type Built = Pick<PollSetup, "source" | "apiName" | "keySource" | "apiHeaders">;

/** `who` names the command in messages: "poll", or "listen --reconcile", which has no --user. */
export function buildSource(
  provider: string,
  options: SourceOptions,
  io: Io,
  spoolPath: () => string,
  who = "poll",
): Built {
  const apiBase = options.apiBase === undefined ? undefined : urlOption(options.apiBase, "--api-base").href;
  if (provider === "stripe") {
    const key = apiKey(options, io, ["STRIPE_API_KEY"], "Stripe", who);
    if (key.startsWith("whsec_")) {
      throw new UsageError(
        `${who}: --api-key is a webhook signing secret (whsec_…)`,
        "the Stripe API needs a secret or restricted key (sk_… or rk_…); the whsec_ secret goes to --secret",
      );
    }
    const source = stripeSource({
      apiBase: apiBase ?? STRIPE_API,
      spoolPath,
      sign: signer("stripe", options, io),
    });
    return {
      source,
      apiName: "Stripe API",
      keySource: "--api-key or STRIPE_API_KEY",
      apiHeaders: { authorization: `Bearer ${key}` },
    };
  }
  if (provider === "github") return githubSetup(options, io, apiBase, who);
  if (provider === "liqpay") return liqpaySetup(options, io, apiBase);
  return httpSetup(options, io);
}

function githubSetup(options: SourceOptions, io: Io, apiBase: string | undefined, who: string): Built {
  const scopes = (["repo", "org", "user"] as const).filter((k) => options[k] !== undefined);
  if (scopes.length !== 1) {
    const user = who === "poll" ? ", --org ORG or --user USER" : " or --org ORG";
    throw new UsageError(`${who}: github needs exactly one of --repo OWNER/NAME${user}`);
  }
  const scope = scopes[0] as "repo" | "org" | "user";
  const name = options[scope] ?? "";
  if (scope === "repo" && !/^[^/\s]+\/[^/\s]+$/.test(name))
    throw new UsageError(`${who}: --repo "${name}" is not OWNER/NAME`);
  const token = optionalKey(options, io, ["GITHUB_TOKEN", "GH_TOKEN"]);
  const source = githubSource({
    apiBase: apiBase ?? "https://api.github.com",
    scope,
    name,
    sign: signer("github", options, io),
  });
  const headers: Record<string, string> = {
    accept: "application/vnd.github+json",
    "x-github-api-version": "2022-11-28",
    "user-agent": "hook-poll",
  };
  if (token) headers.authorization = `Bearer ${token}`;
  return { source, apiName: "GitHub API", keySource: "--api-key or GITHUB_TOKEN", apiHeaders: headers };
}

function liqpaySetup(options: SourceOptions, io: Io, apiBase: string | undefined): Built {
  const privateKey = apiKey(options, io, ["LIQPAY_PRIVATE_KEY"], "LiqPay private");
  const publicKey = fromFlagEnvOrConfig(options, "publicKey", io, ["LIQPAY_PUBLIC_KEY"]);
  if (!publicKey) throw new UsageError("poll: liqpay needs --public-key (or LIQPAY_PUBLIC_KEY)");
  const orders = toList(options.order)
    .flatMap((o) => o.split(","))
    .map((o) => o.trim())
    .filter(Boolean);
  if (orders.length === 0) throw new UsageError("poll: liqpay needs at least one --order ID to follow");
  // LiqPay signs its callbacks with the same private key; --secret only overrides it.
  const callbackKey = secretsFrom(options)[0] ?? privateKey;
  const source = liqpaySource({
    apiBase: apiBase ?? "https://www.liqpay.ua",
    publicKey,
    privateKey,
    callbackKey,
    orders,
  });
  return {
    source,
    apiName: "LiqPay API",
    keySource: "--api-key or LIQPAY_PRIVATE_KEY (and --public-key)",
    apiHeaders: {},
  };
}

function httpSetup(options: SourceOptions, io: Io): Built {
  const { url: given, items, id } = options;
  if (given === undefined || items === undefined || id === undefined) {
    const flag = given === undefined ? "url" : items === undefined ? "items" : "id";
    throw new UsageError(
      `poll: the http source needs --${flag}`,
      "for example --url https://api.example.com/events --items data --id id",
    );
  }
  const url = urlOption(given, "--url");
  const headers: Record<string, string> = {};
  parseHeaderFlags(options.header).forEach((value, key) => {
    headers[key] = value;
  });
  const source = httpSource({
    url,
    items,
    id,
    time: options.time,
    cursorParam: options.cursorParam,
    sign: signer("standard", options, io),
  });
  return {
    source,
    apiName: `API ${url.host}`,
    keySource: "the --header that carries the credentials",
    apiHeaders: { accept: "application/json", ...headers },
  };
}
