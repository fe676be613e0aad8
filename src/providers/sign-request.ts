import { randomUUID } from "node:crypto";
import type { Provider, SignInput } from "./types.js";

interface SignedRequest {
  /** Display-cased names, each once: Content-Type, the provider's envelope, its signature, --header. */
  headers: Record<string, string>;
  /** LiqPay-style schemes: the body with its signature inside. */
  body?: Uint8Array;
  /** Envelope headers whose value was a guess, with that value (--header chooses another). */
  assumed: [string, string][];
}

const PROBE = "hook-probe-delivery-id";

/** The header sign() writes the delivery id into (X-GitHub-Delivery, webhook-id, …), if any. */
function deliveryHeader(provider: Provider, input: SignInput): string | undefined {
  try {
    const probe = provider.sign({ ...input, deliveryId: PROBE });
    return Object.keys(probe).find((name) => probe[name] === PROBE);
  } catch {
    // No id header then; the real sign() below says what is missing (Twilio's --url).
  }
}

/**
 * Sets `name: value` under the spelling already there, if any: a --header arrives lower-cased
 * (Headers keeps no case), and shows under the provider's own name.
 */
function put(headers: Record<string, string>, name: string, value: string): void {
  const known = Object.keys(headers).find((key) => key.toLowerCase() === name.toLowerCase());
  headers[known ?? name] = value;
}

/**
 * Everything the provider's receiving library needs to accept the request, not only the signature:
 * the content type, the headers the provider always sends, a fresh delivery id (or the one given),
 * then --header on top. Used by `hook sign` and by the library's `sign()`. A --header that sets the
 * delivery id header is signed with (Standard Webhooks and Twitch sign the id), so the printed request
 * still verifies.
 */
export function signRequest(
  provider: Provider,
  input: SignInput,
  extra: Headers = new Headers(),
): SignedRequest {
  const idHeader = deliveryHeader(provider, input);
  const deliveryId = (idHeader && extra.get(idHeader)) || input.deliveryId || randomUUID();
  const signInput = { ...input, deliveryId };
  const body = provider.signBody?.(signInput);
  const headers: Record<string, string> = { "Content-Type": provider.contentType };
  const { headers: implied = {}, assumed: guesses = [] } =
    provider.envelope?.(input.body, input.timestamp) ?? {};
  for (const [name, value] of Object.entries(implied)) put(headers, name, value);
  const signed = provider.sign({ ...signInput, body: body ?? input.body });
  for (const [name, value] of Object.entries(signed)) put(headers, name, value);
  for (const [name, value] of extra) put(headers, name, value);
  const assumed = Object.entries(implied).filter(([name]) => guesses.includes(name) && !extra.has(name));
  return { headers, body, assumed };
}
