import { joinUrl } from "../net/url.js";
import type { Provider } from "../providers/types.js";
import { REDACTED, URL_REDACTED } from "../redact.js";
import type { LoadedFixture } from "../store/fixture-reader.js";

/** A request ready for the wire. */
export interface OutgoingRequest {
  method: string;
  url: string;
  /** Lower-case names. */
  headers: Record<string, string>;
  body: Uint8Array;
}

/**
 * Headers the HTTP client must set itself for the new connection and body (a stale Content-Length
 * after an edit would truncate or hang the request), and the original hop's transport headers.
 */
const TRANSPORT_HEADERS = new Set([
  "host",
  "content-length",
  "connection",
  "keep-alive",
  "transfer-encoding",
  "te",
  "trailer",
  "upgrade",
  "expect",
  "proxy-connection",
  "accept-encoding",
]);

/**
 * --to's path, then the fixture's path, then both queries. A fixture path of "/" (bare payloads,
 * built-in samples) means "exactly --to", so `hook trigger --to http://app/webhooks` hits /webhooks.
 */
export function targetUrl(to: URL, fixturePath: string): string {
  const href = to.href;
  let byPath = urlCache.get(href);
  if (byPath === undefined) {
    if (urlCache.size >= 100) urlCache.clear();
    byPath = new Map();
    urlCache.set(href, byPath);
  }
  let found = byPath.get(fixturePath);
  if (found === undefined) {
    // Parsed again, unlike a forward: this URL is signed (Twilio), so it must be the one the client
    // sends, with any byte the URL parser would escape already escaped.
    found = new URL(joinUrl(to, withoutRedacted(fixturePath))).href;
    if (byPath.size >= 1000) byPath.clear();
    byPath.set(fixturePath, found);
  }
  return found;
}

/**
 * A replay of thousands of fixtures has a handful of distinct paths: parse each URL once. Keyed by
 * --to's href, then the path (two lookups of strings whose hashes are cached, no key string built).
 */
const urlCache = new Map<string, Map<string, string>>();

/**
 * A saved fixture's query has its credentials masked (`?token=***`): sending the mask would only
 * confuse the app, so those parameters are dropped, and --to's own query can supply the real ones.
 */
function withoutRedacted(path: string): string {
  const q = path.indexOf("?");
  if (q < 0 || !path.includes(URL_REDACTED, q)) return path;
  const query = path
    .slice(q + 1)
    .split("&")
    .filter((pair) => !pair.endsWith(`=${URL_REDACTED}`))
    .join("&");
  return query ? `${path.slice(0, q)}?${query}` : path.slice(0, q);
}

export interface BuildInput {
  fixture: LoadedFixture;
  /** Signs the request (the fixture's own provider, or --provider). */
  provider: Provider;
  /** Signature headers of these providers are dropped too (the fixture's own, when --provider overrides it). */
  alsoDrop?: readonly string[];
  secret: string | undefined;
  to: URL;
  /**
   * --header values: set last, so a test can also override a signature header on purpose. Pairs
   * (the Headers' own entries, taken once) spare a long replay iterating a Headers per request.
   */
  extraHeaders: Headers | readonly (readonly [string, string])[];
  now: Date;
  deliveryId: string;
}

/**
 * The signature headers to drop, lower-cased: one set per provider (and per --provider override's
 * alsoDrop list, which prepare shares between a fixture's sends), not one per request.
 */
const dropCache = new WeakMap<Provider, WeakMap<readonly string[], Set<string>>>();
const NO_DROP: readonly string[] = [];

function dropSet(provider: Provider, also: readonly string[] | undefined): Set<string> {
  // prepare gives each job its own empty list when there is no override: all of them are one key.
  const alsoDrop = also === undefined || also.length === 0 ? NO_DROP : also;
  let byList = dropCache.get(provider);
  if (!byList) {
    byList = new WeakMap();
    dropCache.set(provider, byList);
  }
  let drop = byList.get(alsoDrop);
  if (!drop) {
    drop = new Set([...provider.signatureHeaders, ...alsoDrop].map((h) => h.toLowerCase()));
    byList.set(alsoDrop, drop);
  }
  return drop;
}

function baseHeaders(input: BuildInput): Record<string, string> {
  const drop = dropSet(input.provider, input.alsoDrop);
  const headers: Record<string, string> = {};
  const fixtureHeaders = input.fixture.headers;
  for (const name in fixtureHeaders) {
    if (!Object.hasOwn(fixtureHeaders, name)) continue;
    const value = fixtureHeaders[name] as string;
    const key = name.toLowerCase();
    // A redacted credential cannot be replayed; sending "[redacted]" would only confuse the app.
    if (TRANSPORT_HEADERS.has(key) || drop.has(key) || value === REDACTED) continue;
    headers[key] = value;
  }
  // A bare payload has no headers at all: the ones the provider always sends (GitHub's event name)
  // come from the provider, as in `hook sign`, so its receiving library accepts the request.
  if (input.fixture.bare && input.provider.envelope) {
    const envelope = input.provider.envelope(input.fixture.body, input.now).headers;
    for (const name in envelope) headers[name.toLowerCase()] ??= envelope[name] as string;
  }
  if (!headers["content-type"] && input.fixture.body.length > 0) {
    headers["content-type"] = input.fixture.bare
      ? jsonType(input.provider.contentType)
      : input.provider.contentType;
  }
  return headers;
}

function jsonType(providerType: string): string {
  return providerType.includes("json") ? providerType : "application/json";
}

/** The fixture (already edited by prepareJobs), old signatures dropped, fresh ones made for this moment and URL. */
export function buildRequest(input: BuildInput): OutgoingRequest {
  const headers = baseHeaders(input);
  const body = input.fixture.body;
  const url = targetUrl(input.to, input.fixture.path);
  let signedBody = body;
  if (input.secret !== undefined || input.provider.name === "none" || input.provider.usesSecret === false) {
    const signInput = {
      body,
      secret: input.secret ?? "",
      timestamp: input.now,
      deliveryId: input.deliveryId,
      url,
    };
    // LiqPay-style schemes carry the signature inside the body: that body is the one sent and signed.
    signedBody = input.provider.signBody?.(signInput) ?? body;
    const signed = input.provider.sign({
      body: signedBody,
      secret: signInput.secret,
      timestamp: signInput.timestamp,
      deliveryId: signInput.deliveryId,
      url,
    });
    for (const name in signed) {
      if (Object.hasOwn(signed, name)) headers[name.toLowerCase()] = signed[name] as string;
    }
  }
  // user:pass@ in --to: the HTTP client would drop it silently, so it becomes Basic auth.
  if ((input.to.username || input.to.password) && !headers.authorization) {
    const user = decodeURIComponent(input.to.username);
    const pass = decodeURIComponent(input.to.password);
    headers.authorization = `Basic ${Buffer.from(`${user}:${pass}`).toString("base64")}`;
  }
  for (const [name, value] of input.extraHeaders) headers[name.toLowerCase()] = value;
  return { method: input.fixture.method, url, headers, body: signedBody };
}
