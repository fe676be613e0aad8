/**
 * Hop-by-hop headers (RFC 9110 section 7.6.1) describe one connection, not the message: a proxy must not
 * pass them on. Host names the proxy, so the client sets the target's own. Content-Length is recomputed
 * from the exact bytes we send, and Expect would make the client wait for a 100 that we already handled.
 */
const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "transfer-encoding",
  "upgrade",
  "te",
  "trailer",
  "trailers",
  "host",
  "content-length",
  "expect",
  "http2-settings",
]);

function isHopByHop(name: string, listed: Set<string>): boolean {
  return HOP_BY_HOP.has(name) || name.startsWith("proxy-") || listed.has(name);
}

/** Headers a Connection header names are hop-by-hop too ("Connection: close, x-foo"). */
function connectionListed(pairs: [string, string][]): Set<string> {
  const listed = new Set<string>();
  for (const [name, value] of pairs) {
    if (name.toLowerCase() !== "connection") continue;
    for (const token of value.split(",")) listed.add(token.trim().toLowerCase());
  }
  return listed;
}

/** The end-to-end headers of a request or response, in order, with their original case. */
export function endToEndHeaders(pairs: [string, string][]): [string, string][] {
  const listed = connectionListed(pairs);
  return pairs.filter(([name]) => !isHopByHop(name.toLowerCase(), listed));
}

/** node's rawHeaders ([k, v, k, v ...]) -> pairs. */
export function pairsFromRaw(raw: string[]): [string, string][] {
  const pairs: [string, string][] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) pairs.push([raw[i] as string, raw[i + 1] as string]);
  return pairs;
}

export function headersFromPairs(pairs: [string, string][]): Headers {
  const headers = new Headers();
  for (const [name, value] of pairs) {
    try {
      headers.append(name, value);
    } catch {
      // A header the fetch Headers class refuses cannot be a signature header we need to read.
    }
  }
  return headers;
}
