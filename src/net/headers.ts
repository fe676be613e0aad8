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

/** Headers a Connection header names are hop-by-hop too ("Connection: close, x-foo"). */
function connectionListed(pairs: [string, string][]): Set<string> | undefined {
  let listed: Set<string> | undefined;
  for (const [name, value] of pairs) {
    if (name.length !== 10 || name.toLowerCase() !== "connection") continue;
    listed ??= new Set<string>();
    for (const token of value.split(",")) listed.add(token.trim().toLowerCase());
  }
  return listed;
}

function isEndToEnd(name: string, listed: Set<string> | undefined): boolean {
  const lower = name.toLowerCase();
  return !HOP_BY_HOP.has(lower) && !lower.startsWith("proxy-") && !listed?.has(lower);
}

/** The end-to-end headers of a request or response, in order, with their original case. */
export function endToEndHeaders(pairs: [string, string][]): [string, string][] {
  const listed = connectionListed(pairs);
  return pairs.filter(([name]) => isEndToEnd(name, listed));
}

/** endToEndHeaders, flattened for undici: [name, value, name, value ...]. */
export function endToEndFlat(pairs: [string, string][]): string[] {
  const listed = connectionListed(pairs);
  const flat: string[] = [];
  for (const [name, value] of pairs) if (isEndToEnd(name, listed)) flat.push(name, value);
  return flat;
}

/** node's rawHeaders ([k, v, k, v ...]) -> pairs. */
export function pairsFromRaw(raw: string[]): [string, string][] {
  const pairs: [string, string][] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) pairs.push([raw[i] as string, raw[i + 1] as string]);
  return pairs;
}

/**
 * A WHATWG Headers view of the pairs. Building a real Headers validates and sorts every header on every
 * request, while providers only read two or three of them: get() and has() read the pairs directly, with
 * the same answers a Headers would give; anything else builds the real Headers once and uses it.
 */
export function headersFromPairs(pairs: [string, string][]): Headers {
  return new PairHeaders(pairs) as unknown as Headers;
}

function realHeaders(pairs: [string, string][]): Headers {
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

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** Leading and trailing HTTP whitespace, which Headers strips from values. */
const OUTER_SPACE = /^[\t\n\r ]+|[\t\n\r ]+$/g;
/** What Headers refuses in a value (after stripping): NUL, CR, LF, and anything beyond one byte. */
const BAD_VALUE = /[\0\r\n\u0100-\uffff]/;
/** Names already checked to be tokens: providers ask for the same few names on every request. */
const validNames = new Set<string>();

function isWhitespace(code: number): boolean {
  return code === 32 || code === 9 || code === 10 || code === 13;
}

/** The value as Headers would store it, or undefined where its append() would have thrown. */
function headerValue(value: string): string | undefined {
  const n = value.length;
  const normalized =
    n > 0 && (isWhitespace(value.charCodeAt(0)) || isWhitespace(value.charCodeAt(n - 1)))
      ? value.replace(OUTER_SPACE, "")
      : value;
  return BAD_VALUE.test(normalized) ? undefined : normalized;
}

class PairHeaders {
  private real: Headers | undefined;

  constructor(private readonly pairs: [string, string][]) {}

  /** The real Headers, built on first use of anything but get() and has(). */
  private headers(): Headers {
    this.real ??= realHeaders(this.pairs);
    return this.real;
  }

  /** The lower-cased name when the fast path can answer for it, else undefined. */
  private fastName(name: string): string | undefined {
    if (this.real || typeof name !== "string") return undefined;
    if (validNames.has(name)) return name.toLowerCase();
    if (!TOKEN.test(name)) return undefined;
    if (validNames.size < 1000) validNames.add(name);
    return name.toLowerCase();
  }

  get(name: string): string | null {
    const lower = this.fastName(name);
    if (lower === undefined) return this.headers().get(name);
    let found: string | null = null;
    for (const [key, raw] of this.pairs) {
      if (key.length !== lower.length || key.toLowerCase() !== lower || !TOKEN.test(key)) continue;
      const value = headerValue(raw);
      if (value === undefined) continue;
      found = found === null ? value : `${found}, ${value}`;
    }
    return found;
  }

  has(name: string): boolean {
    const lower = this.fastName(name);
    if (lower === undefined) return this.headers().has(name);
    for (const [key, raw] of this.pairs) {
      if (key.length !== lower.length || key.toLowerCase() !== lower || !TOKEN.test(key)) continue;
      if (headerValue(raw) !== undefined) return true;
    }
    return false;
  }

  append(name: string, value: string): void {
    this.headers().append(name, value);
  }

  set(name: string, value: string): void {
    this.headers().set(name, value);
  }

  delete(name: string): void {
    this.headers().delete(name);
  }

  getSetCookie(): string[] {
    return this.headers().getSetCookie();
  }

  forEach(callback: (value: string, key: string, parent: Headers) => void, thisArg?: unknown): void {
    // The real Headers is what callers get as `parent`, as they would from Headers itself.
    const headers = this.headers();
    headers.forEach((value, key) => {
      callback.call(thisArg, value, key, headers);
    });
  }

  entries(): ReturnType<Headers["entries"]> {
    return this.headers().entries();
  }

  keys(): ReturnType<Headers["keys"]> {
    return this.headers().keys();
  }

  values(): ReturnType<Headers["values"]> {
    return this.headers().values();
  }

  [Symbol.iterator](): ReturnType<Headers["entries"]> {
    return this.headers()[Symbol.iterator]();
  }
}
