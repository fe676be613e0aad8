import { UsageError } from "../errors.js";
import { parseDuration, parseSeconds } from "../units.js";

// Flag values checked and converted, each error naming its flag. Light on purpose: listen reads its
// port with these before anything heavy loads.

export function intOption(value: unknown, flag: string, min = 0): number {
  const n = typeof value === "number" ? value : Number.parseInt(String(value), 10);
  if (!Number.isInteger(n) || n < min || String(value).trim() === "") {
    throw new UsageError(
      `${flag}: "${String(value)}" is not a whole number${min > 0 ? ` of at least ${min}` : ""}`,
    );
  }
  return n;
}

export function durationOption(value: unknown, flag: string): number | undefined {
  if (value === undefined) return undefined;
  return parseDuration(String(value), flag);
}

/** A wait that must end (--timeout, --interval, --budget): 0 would mean "never" to one reader and "at once" to another. */
export function positiveDurationOption(value: unknown, flag: string, fallback: string): number {
  const ms = parseDuration(String(value ?? fallback), flag);
  if (ms <= 0) throw new UsageError(`${flag} must be more than 0`, `for example ${fallback}`);
  return ms;
}

/** A window in whole seconds (--tolerance): "0" is off, anything else at least 1 s. */
export function secondsOption(value: unknown, flag: string): number | undefined {
  if (value === undefined) return undefined;
  return parseSeconds(String(value), flag);
}

/** An http(s) URL, or a usage error that names the flag. */
export function urlOption(value: unknown, flag: string): URL {
  try {
    const url = new URL(String(value));
    if (url.protocol !== "http:" && url.protocol !== "https:") throw new Error("not http");
    return url;
  } catch {
    throw new UsageError(
      `${flag}: "${String(value)}" is not an http(s) URL`,
      "for example http://localhost:3000/webhooks",
    );
  }
}

/** A TCP port: 0 (a free one) to 65535. */
export function portOption(value: string, flag = "--port"): number {
  const port = intOption(value, flag);
  if (port > 65_535)
    throw new UsageError(`${flag}: ${port} is not a port`, "use 1-65535, or 0 for a free one");
  return port;
}
