import { createHmac, timingSafeEqual } from "node:crypto";
import { lenientUtf8 } from "../utf8.js";

export type HmacAlgorithm = "sha1" | "sha256" | "sha384" | "sha512";

export function hmac(
  algorithm: HmacAlgorithm,
  key: string | Uint8Array,
  ...parts: (string | Uint8Array)[]
): Buffer {
  const mac = createHmac(algorithm, key);
  for (const part of parts) mac.update(part);
  return mac.digest();
}

/**
 * Constant-time comparison. timingSafeEqual throws on unequal lengths, and an early `false` on a
 * length mismatch leaks only the length, which every signature format makes public anyway.
 */
export function safeEqual(a: string | Uint8Array, b: string | Uint8Array): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  if (left.length !== right.length) return false;
  return timingSafeEqual(left, right);
}

/** Any of the candidates equals the expected value, compared in constant time. */
export function anyEqual(expected: string | Uint8Array, candidates: Iterable<string | Uint8Array>): boolean {
  let found = false;
  for (const candidate of candidates) {
    // No early return: every candidate is compared, so timing does not tell which one matched.
    if (safeEqual(expected, candidate)) found = true;
  }
  return found;
}

export function unixSeconds(date: Date): number {
  return Math.floor(date.getTime() / 1000);
}

/** Parse JSON without throwing; bodies come from the network. */
export function tryJson(body: Uint8Array): unknown {
  try {
    return JSON.parse(lenientUtf8.decode(body));
  } catch {
    // Not JSON: undefined, as for a body with no such field.
  }
}

export function field(value: unknown, ...path: string[]): string | undefined {
  let current: unknown = value;
  for (const key of path) {
    if (typeof current !== "object" || current === null) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  if (typeof current === "string") return current;
  if (typeof current === "number") return String(current);
  return undefined;
}

/** The first of several header names that is present (providers that renamed their headers). */
export function firstHeader(
  headers: Headers,
  ...names: string[]
): { name: string; value: string } | undefined {
  for (const name of names) {
    const value = headers.get(name);
    if (value !== null) return { name, value };
  }
  return undefined;
}

/** `prefix=hex` signatures: compare the decoded bytes, so upper-case hex from a sender still matches. */
export function hexBytes(text: string): Buffer | undefined {
  if (!/^(?:[0-9a-fA-F]{2})+$/.test(text)) return undefined;
  return Buffer.from(text, "hex");
}
