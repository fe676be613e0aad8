import { randomUUID } from "node:crypto";
import { getProvider, providerNames } from "../providers/index.js";
import type { Provider } from "../providers/types.js";
import { buildRequest } from "../replay/build.js";
import type { OutgoingRequest, Prepare } from "./forward.js";
import type { OutboxEntry } from "./journal.js";

/** How the outbox sends an entry: signed afresh when it can be, else as it arrived (and when that goes stale). */
export interface Signer {
  /** The request to send for this attempt. */
  request(entry: OutboxEntry, now: Date): OutgoingRequest;
  /** When the entry is sent with its original signature: the app's window for it, in seconds. */
  staleAfter(entry: OutboxEntry): { provider: string; seconds: number } | undefined;
}

/**
 * Signs each attempt afresh, as `hook replay` does (the same code: old signature headers dropped, a
 * new timestamp), keeping the event id (in the body) and the delivery id, so the app's idempotency
 * still sees a redelivery. Only an entry that this provider verified is re-signed, and only for a
 * provider that signs a timestamp: for the others the original signature stays valid as it is.
 * `always` (--forward-secret: the secret is the app's, not the provider's) re-signs for every provider.
 */
export function signer(provider: Provider | undefined, secret: string | undefined, always = false): Signer {
  const resigns = (entry: OutboxEntry) =>
    provider !== undefined &&
    secret !== undefined &&
    (always || provider.signsTimestamp) &&
    provider.usesSecret !== false &&
    entry.provider === provider.name;
  return {
    request(entry, now) {
      if (!resigns(entry)) return entry;
      return resign(
        entry,
        provider as Provider,
        secret as string,
        now,
        entry.deliveryId ?? `outbox-${entry.seq}`,
      );
    },
    staleAfter(entry) {
      if (resigns(entry)) return undefined;
      const own = timestampSigner(entry);
      return own?.toleranceSeconds ? { provider: own.name, seconds: own.toleranceSeconds } : undefined;
    },
  };
}

/**
 * --forward-secret on live forwarding: each request, as it goes to the app, signed again with the
 * app's own secret by the same code as an outbox attempt, keeping the delivery id it came with (the
 * pipeline's description of it: not parsed a second time here).
 */
export function forwardResigner(provider: Provider, secret: string, now: () => Date): Prepare {
  return (request, deliveryId) => resign(request, provider, secret, now(), deliveryId ?? randomUUID());
}

function resign(
  entry: OutgoingRequest,
  provider: Provider,
  secret: string,
  now: Date,
  deliveryId: string,
): OutgoingRequest {
  const headers: Record<string, string> = {};
  for (const [name, value] of entry.headers) {
    const key = name.toLowerCase();
    headers[key] = headers[key] === undefined ? value : `${headers[key]}, ${value}`;
  }
  const built = buildRequest({
    fixture: {
      file: "a forwarded request",
      method: entry.method,
      path: entry.path,
      headers,
      body: entry.body,
      bare: false,
    },
    provider,
    secret,
    // Only the signed headers and body are taken; the forwarder joins the path to its own target.
    to: new URL("http://outbox.invalid/"),
    extraHeaders: [],
    now,
    deliveryId,
  });
  return { method: entry.method, path: entry.path, headers: Object.entries(built.headers), body: built.body };
}

/**
 * The provider whose timestamped signature the entry carries: the one that verified it, or, for a
 * request hook did not verify, the one whose signature headers it has.
 */
function timestampSigner(entry: OutboxEntry): Provider | undefined {
  const named = entry.provider && entry.provider !== "none" ? safeProvider(entry.provider) : undefined;
  if (named) return named.signsTimestamp ? named : undefined;
  const names = new Set(entry.headers.map(([name]) => name.toLowerCase()));
  for (const name of providerNames()) {
    const candidate = safeProvider(name);
    if (candidate?.signsTimestamp && candidate.signatureHeaders.some((h) => names.has(h))) return candidate;
  }
  return undefined;
}

function safeProvider(name: string): Provider | undefined {
  try {
    return getProvider(name);
  } catch {
    return undefined;
  }
}
