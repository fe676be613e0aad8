/**
 * The --json shapes of the listen events, shared by the terminal renderer and the inspector's API, so a
 * script reading `hook listen --json` and one reading `/api/requests` see the same objects.
 */
import { redactUrl } from "../redact.js";
import type { DeliveryRecord, RequestRecord } from "./types.js";

/**
 * --json shape of a request: stable keys, no body (it can be megabytes), no header values, and the
 * path's credentials (?token=…) masked for every reader, the inspector's API included.
 */
export function requestJson(r: RequestRecord): Record<string, unknown> {
  return {
    n: r.n,
    time: r.receivedAt.toISOString(),
    method: r.method,
    path: redactUrl(r.path),
    provider: r.provider,
    event: r.event ?? null,
    id: r.eventId ?? null,
    deliveryId: r.deliveryId ?? null,
    verified: r.verification ? r.verification.ok : null,
    reason: r.verification && !r.verification.ok ? r.verification.reason : undefined,
    outcome: r.outcome,
    status: r.status,
    targetStatus: r.targetStatus,
    error: r.error,
    duplicate: r.duplicate,
    reconciled: r.reconciled === true,
    seq: r.seq,
    bytes: r.body.length,
    latencyMs: Math.round(r.latencyMs * 10) / 10,
    savedAs: r.savedAs,
    replayOf: r.replayOf,
  };
}

/**
 * JSON.stringify replacer for every --json line and JSON report: raw bytes (an answer's
 * `responseBody`) are for the human lines, never dumped as {"0":123,...} into JSON.
 */
function withoutBytes(this: unknown, key: string, value: unknown): unknown {
  // A Buffer's toJSON has already run when the replacer sees `value`: look at the original.
  const original = (this as Record<string, unknown>)[key];
  return original instanceof Uint8Array ? undefined : value;
}

/** --json shape of a durable delivery attempt. */
export function deliveryJson(d: DeliveryRecord): Record<string, unknown> {
  return { ...d, latencyMs: Math.round(d.latencyMs) };
}

/**
 * JSON.stringify(value, withoutBytes), and the same text without the replacer when `value` holds no
 * bytes: a replacer sends V8 down its slow path for every key, which was half the cost of a replay
 * --json line (10,000 of them a run). Anything the walk cannot vouch for takes the replacer.
 */
export function jsonWithoutBytes(value: unknown, space?: number): string {
  return mayHoldBytes(value, 0)
    ? JSON.stringify(value, withoutBytes, space)
    : JSON.stringify(value, null, space);
}

function mayHoldBytes(value: unknown, depth: number): boolean {
  if (typeof value !== "object" || value === null || value instanceof Date) return false;
  // A toJSON of its own could return bytes the walk does not see; deep values are not worth walking.
  if (
    value instanceof Uint8Array ||
    depth > 6 ||
    typeof (value as { toJSON?: unknown }).toJSON === "function"
  ) {
    return true;
  }
  if (Array.isArray(value)) {
    for (const item of value) if (mayHoldBytes(item, depth + 1)) return true;
    return false;
  }
  for (const key in value) {
    if (mayHoldBytes((value as Record<string, unknown>)[key], depth + 1)) return true;
  }
  return false;
}
