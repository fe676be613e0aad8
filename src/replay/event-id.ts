import { randomBytes, randomInt, randomUUID } from "node:crypto";
import type { LoadedFixture } from "../store/fixture-reader.js";
import { applyEdits } from "./edit.js";

/**
 * Where a provider's event id lives in a delivery: the value its describe() reports as `id`, the key
 * an app dedupes on. `hook trigger` and `hook check` give a sample a fresh one, so an app that
 * de-duplicates (as it should) treats each run as a new event. A JSON path in the body (a form field
 * or a path inside LiqPay's base64 `data` for form bodies), and/or headers.
 */
interface IdLocation {
  /** Candidates, the first one the body has wins. */
  paths?: string[][];
  headers?: string[];
  /** The id is a JSON number (Telegram's update_id). */
  numeric?: true;
}

const LOCATIONS: Record<string, IdLocation> = {
  stripe: { paths: [["id"]] },
  // The delivery GUID is the identity: a redelivery from GitHub's UI keeps it.
  github: { headers: ["x-github-delivery"] },
  shopify: { headers: ["x-shopify-event-id"] },
  // Events API: event_id; slash commands and interactivity (a JSON `payload` field): trigger_id.
  slack: { paths: [["event_id"], ["trigger_id"], ["payload", "trigger_id"]] },
  standard: { headers: ["webhook-id", "svix-id"] },
  svix: { headers: ["webhook-id", "svix-id"] },
  twilio: { paths: [["MessageSid"], ["CallSid"]] },
  twitch: { headers: ["twitch-eventsub-message-id"] },
  telegram: { paths: [["update_id"]], numeric: true },
  liqpay: { paths: [["data", "order_id"]] },
  paypal: { paths: [["id"]] },
  paddle: { paths: [["event_id"]] },
  // WebSub notifications carry no event id.
  websub: {},
};

/** hmac, none and bare payloads: a top-level "id", when there is one. */
const GENERIC: IdLocation = { paths: [["id"]] };

const location = (provider: string): IdLocation => LOCATIONS[provider.toLowerCase()] ?? GENERIC;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * A new id shaped like `like`: a UUID for a UUID; otherwise a letters-only prefix (evt_, WH-, SM) kept
 * and every other letter and digit replaced by a random one of its kind, so an app that checks the
 * shape still accepts it. Without a model, or one with nothing to vary: a 24-character hex id.
 * Never `like` itself: a short id came out the same by chance (1 in 100 for LiqPay's SUB-42), and
 * the app then took the "fresh" event for a redelivery.
 */
export function freshEventId(like?: string): string {
  if (!like || like.length < 6) return randomBytes(12).toString("hex");
  if (UUID.test(like)) return randomUUID();
  const keep = /^[A-Za-z]+[_-]/.exec(like)?.[0].length ?? 2;
  const prefix = like.slice(0, keep);
  const rest = like.slice(keep);
  if (!/[0-9a-zA-Z]/.test(rest)) return randomBytes(12).toString("hex");
  return unlike(like, () => prefix + rest.replace(/[0-9a-zA-Z]/g, randomOfKind));
}

function randomOfKind(c: string): string {
  if (c >= "0" && c <= "9") return String(randomInt(10));
  return String.fromCharCode((c >= "a" ? 97 : 65) + randomInt(26));
}

/**
 * A numeric id of the same number of digits (5 to 14), never starting with 0, never `like`. 14 at
 * most: randomInt takes a range below 2^48, and a 15-digit one (9e14 values) threw a RangeError.
 */
function freshNumber(like?: string): number {
  const digits = Math.min(14, Math.max(5, like?.length ?? 9));
  return unlike(like, () => randomInt(10 ** (digits - 1), 10 ** digits));
}

/** Draws again until the value differs from `like`; every caller draws from more than one value. */
function unlike<T>(like: string | undefined, draw: () => T): T {
  for (;;) {
    const value = draw();
    if (String(value) !== like) return value;
  }
}

/**
 * The fixture with `id` as its event id wherever the provider carries it (`undefined`: a fresh one
 * shaped like the old). A sample without the field keeps its body: nothing to change there.
 */
export function withEventId(fixture: LoadedFixture, provider: string, id?: string): LoadedFixture {
  const at = location(provider);
  if (!at.paths && !at.headers) return fixture;
  const type = fixture.headers["content-type"];
  const [first, ...others] = at.headers ?? [];
  const path = at.paths?.find((p) => readPath(fixture.body, type, p) !== undefined);
  const like =
    (first && fixture.headers[first]) || (path && readPath(fixture.body, type, path)) || fixture.id;
  const value: string | number = at.numeric
    ? id !== undefined && /^\d+$/.test(id)
      ? Number(id)
      : (id ?? freshNumber(like))
    : (id ?? freshEventId(like));
  const body = path ? applyEdits(fixture.body, type, [{ text: path.join("."), path, value }]) : fixture.body;
  const headers = { ...fixture.headers };
  // The first name always; other spellings (Svix's svix-id) only where the sample uses them.
  if (first) headers[first] = String(value);
  for (const name of others) if (name in headers) headers[name] = String(value);
  return { ...fixture, id: String(value), body, headers };
}

/**
 * The value at `path`, as text, or undefined: in a JSON body, or a form whose first segment is a
 * field (the rest inside a field that holds JSON, or base64 of JSON, like LiqPay's `data`).
 */
function readPath(body: Uint8Array, contentType: string | undefined, path: string[]): string | undefined {
  const text = Buffer.from(body).toString("utf8");
  const form = (contentType ?? "").includes("x-www-form-urlencoded");
  let value: unknown;
  if (!form) value = parse(text);
  else {
    const [field, ...rest] = path;
    const raw = new URLSearchParams(text).get(field ?? "");
    if (raw === null || rest.length === 0) return raw ?? undefined;
    value = { [field as string]: parse(raw) ?? parse(Buffer.from(raw, "base64").toString("utf8")) };
  }
  for (const key of path) {
    if (typeof value !== "object" || value === null) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return typeof value === "string" || typeof value === "number" ? String(value) : undefined;
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
