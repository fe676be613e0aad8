import type { Provider, Verdict } from "../../src/providers/types.js";

export const bytes = (text: string): Buffer => Buffer.from(text, "utf8");

/** Verifies `body` with `headers` as a receiver would; `now` defaults to the signing time. */
export function check(
  provider: Provider,
  body: Uint8Array,
  headers: Record<string, string> | Headers,
  secrets: string[],
  now: Date,
  extra: { url?: string; toleranceSeconds?: number } = {},
): Verdict {
  return provider.verify({ body, headers: new Headers(headers), secrets, now, ...extra });
}

/** The same body with one byte changed. */
export function flipOneByte(body: Uint8Array, at = Math.floor(body.length / 2)): Buffer {
  const copy = Buffer.from(body);
  copy[at] = (copy[at] ?? 0) ^ 0x01;
  return copy;
}
