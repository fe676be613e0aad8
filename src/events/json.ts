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
    seq: r.seq,
    bytes: r.body.length,
    latencyMs: Math.round(r.latencyMs * 10) / 10,
    savedAs: r.savedAs,
    replayOf: r.replayOf,
  };
}

/** --json shape of a durable delivery attempt. */
export function deliveryJson(d: DeliveryRecord): Record<string, unknown> {
  return { ...d, latencyMs: Math.round(d.latencyMs) };
}
