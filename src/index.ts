/**
 * hook as a library, for an app's own webhook tests: `import { sign } from "hookcli"`. Everything
 * here returns data and throws HookError (with the exit code the CLI would use); nothing prints.
 * Each function is a thin face over the same core the commands use, so both always agree.
 */
import { existsSync, statSync } from "node:fs";
import { resolve } from "node:path";
import { requireSecrets } from "./commands/common.js";
import { urlOption } from "./commands/values.js";
import { UsageError } from "./errors.js";
import { getProvider, listProviders } from "./providers/index.js";
import { signRequest } from "./providers/sign-request.js";
import type { Provider, ProviderOptions, Verdict } from "./providers/types.js";
import { type Edit, parseSet } from "./replay/edit.js";
import { parseExpect } from "./replay/expect.js";
import { prepareJobs } from "./replay/prepare.js";
import { type ReplayResult, type ReplaySummary, runReplay } from "./replay/run.js";
import { createSender } from "./replay/send.js";
import { findBuiltin } from "./store/builtin-fixtures.js";
import { type LoadedFixture, loadFixtures } from "./store/fixture-reader.js";

export { HookError, UsageError } from "./errors.js";
export type { Description, FailureCode, ProviderOptions, Verdict } from "./providers/types.js";
export type { ReplayResult, ReplaySummary } from "./replay/run.js";
export type { LoadedFixture as Fixture } from "./store/fixture-reader.js";

/** A body as bytes; a string is taken as its UTF-8 bytes. */
export type Body = string | Uint8Array;

const bytes = (body: Body): Uint8Array => (typeof body === "string" ? Buffer.from(body, "utf8") : body);

export interface SignOptions extends ProviderOptions {
  /** A provider name, as `hook providers` lists them: "stripe", "github", … */
  provider: string;
  secret: string;
  body: Body;
  /** When it was signed; default now. */
  timestamp?: Date;
  /** The full URL the request goes to (Twilio signs it). */
  url?: string;
  /** For providers that send a delivery id (GitHub, Standard Webhooks, Twitch, Shopify, PayPal). */
  deliveryId?: string;
}

export interface Signed {
  /** The headers the provider would send with this body. */
  headers: Record<string, string>;
  /** The body to send: the one given, or, for LiqPay (whose signature is a form field), the signed form. */
  body: Uint8Array;
}

/** The headers (and, for LiqPay, the body) that make `body` verify as `provider` would send it. */
export function sign(options: SignOptions): Signed {
  const provider = getProvider(options.provider, options);
  const input = {
    body: bytes(options.body),
    secret: options.secret,
    timestamp: options.timestamp ?? new Date(),
    url: options.url,
    deliveryId: options.deliveryId,
  };
  // The same request `hook sign` prints: content type and the headers the provider always sends
  // (X-GitHub-Event, Shopify's topic …) with the signature, so the provider's own library accepts it.
  const signed = signRequest(provider, input);
  return { headers: signed.headers, body: signed.body ?? input.body };
}

export interface VerifyOptions extends ProviderOptions {
  provider: string;
  /** One secret, or several during a rotation (any one matching passes). */
  secret?: string | string[];
  body: Body;
  headers: Headers | Record<string, string>;
  /** The full URL the sender used (Twilio). */
  url?: string;
  /** Overrides the provider's replay window, in seconds; 0 turns the timestamp check off. */
  toleranceSeconds?: number;
  now?: Date;
}

/** The verdict (`ok`, or a `code` and a `reason` a person can act on), with the event's type and id. */
export type VerifyResult = Verdict & { type?: string; id?: string };

export function verify(options: VerifyOptions): VerifyResult {
  const provider = getProvider(options.provider, options);
  const headers = new Headers(options.headers);
  const body = bytes(options.body);
  const secret = options.secret ?? [];
  const verdict = provider.verify({
    body,
    headers,
    secrets: Array.isArray(secret) ? secret : [secret],
    now: options.now ?? new Date(),
    url: options.url,
    toleranceSeconds: options.toleranceSeconds,
  });
  const { type, id } = provider.describe(body, headers);
  return { ...verdict, type, id };
}

export interface ProviderInfo {
  name: string;
  /** What is checked and how. */
  summary: string;
  /** Lower-case names of the headers that carry the signature. */
  signatureHeaders: readonly string[];
  signsTimestamp: boolean;
  /** How long the provider waits for an answer before it counts a failure. */
  timeoutMs: number;
  /** The content type of a typical delivery. */
  contentType: string;
  /** Whether hook answers the provider's subscription handshake. */
  handshake: boolean;
}

/** Every provider hook knows, as `hook providers` lists them. */
export function providers(): ProviderInfo[] {
  return listProviders().map((p: Provider) => ({
    name: p.name,
    summary: p.summary,
    signatureHeaders: p.signatureHeaders,
    signsTimestamp: p.signsTimestamp,
    timeoutMs: p.timeoutMs,
    contentType: p.contentType,
    handshake: p.handshake !== undefined,
  }));
}

/** A fixture file (hook's format, or a bare JSON payload), read and checked; relative to `cwd`. */
export function loadFixture(path: string, cwd = process.cwd()): LoadedFixture {
  // A folder would quietly give its first file; replay() is the one that takes folders.
  if (existsSync(resolve(cwd, path)) && statSync(resolve(cwd, path)).isDirectory()) {
    throw new UsageError(`${path} is a folder`, "loadFixture reads one file; replay() takes folders");
  }
  const [fixture] = loadFixtures([path], cwd);
  if (!fixture) throw new UsageError(`${path}: no fixture there`);
  return fixture;
}

/** A built-in sample, as `hook trigger PROVIDER EVENT` sends it: sample("stripe", "invoice.paid"). */
export function sample(provider: string, event: string): LoadedFixture {
  return findBuiltin(provider, event).fixture;
}

export interface ReplayOptions extends ProviderOptions {
  /** Where to send: the fixture's own path and query are appended. */
  to: string;
  secret?: string | string[];
  /** Sign every fixture for this provider, whatever the fixture says. */
  provider?: string;
  /** "2xx" (default), "200", "200,409". */
  expect?: string;
  concurrency?: number;
  repeat?: number;
  /** How long to wait for an answer, in ms (default 30,000). */
  timeoutMs?: number;
  /** Edits to the payload before it is signed, as `--set`: { "data.object.amount": 500 }. */
  set?: Record<string, unknown>;
  /** Added last, after signing (so they can override a signature header on purpose). */
  headers?: Record<string, string>;
}

export interface ReplayOutcome {
  results: ReplayResult[];
  summary: ReplaySummary;
  /** Every request got an expected status. */
  ok: boolean;
  /** What the CLI would have shown as warnings (a bare payload sent unsigned, a suspicious secret). */
  warnings: string[];
}

/** Sends fixtures (paths, or fixtures already loaded) with fresh signatures, as `hook replay`. */
export async function replay(
  fixtures: string | readonly (string | LoadedFixture)[],
  options: ReplayOptions,
): Promise<ReplayOutcome> {
  const list = typeof fixtures === "string" ? [fixtures] : fixtures;
  const paths = list.filter((f): f is string => typeof f === "string");
  const loaded = [
    ...list.filter((f): f is LoadedFixture => typeof f !== "string"),
    ...loadFixtures(paths, process.cwd()),
  ];
  const secrets = options.secret === undefined ? [] : [options.secret].flat();
  const prepared = prepareJobs({
    fixtures: loaded,
    override: options.provider ? getProvider(options.provider, options) : undefined,
    providerOptions: options,
    secrets,
    edits: editsFrom(options.set),
    now: new Date(),
  });
  for (const provider of prepared.signers) requireSecrets({ secret: secrets }, provider);
  const plan = {
    jobs: prepared.jobs,
    to: urlOption(options.to, "to"),
    repeat: options.repeat ?? 1,
    concurrency: options.concurrency ?? 1,
    timeoutMs: options.timeoutMs ?? 30_000,
    extraHeaders: new Headers(options.headers),
    expect: parseExpect(options.expect ?? "2xx"),
  };
  const sender = createSender(plan.concurrency, process.env, plan.timeoutMs);
  try {
    const run = await runReplay(plan, { sender, now: () => new Date(), clock: () => performance.now() });
    return { ...run, ok: run.summary.passed === run.summary.total, warnings: prepared.warnings };
  } finally {
    await sender.close();
  }
}

function editsFrom(set: Record<string, unknown> | undefined): Edit[] {
  // The same parser as --set, so a path means the same in both; JSON text keeps the value's type.
  return Object.entries(set ?? {}).map(([path, value]) => parseSet(`${path}=${JSON.stringify(value)}`));
}
