import type { HttpClient } from "../net/client.js";
import { failureText } from "../net/errors.js";
import type { DeliveryRequest } from "./types.js";

export interface DeliveryResult {
  ok: boolean;
  status?: number;
  ms: number;
  error?: string;
  /** The app's answer, its first 64 KiB: for showing why it refused the event. */
  responseBody?: Uint8Array;
}

/** Of the app's answer this much is kept; up to DELIVERY_READ is read so the connection can be reused. */
const DELIVERY_KEEP = 64 * 1024;
const DELIVERY_READ = 1024 * 1024;

/**
 * POSTs one event to the app, as the provider would. Only a 2xx counts: a redirect or an error page
 * means the app did not take the event, and the cursor must not move past it. `timeoutMs` bounds
 * the whole exchange.
 */
export async function deliver(
  http: HttpClient,
  target: URL,
  req: DeliveryRequest,
  timeoutMs: number,
): Promise<DeliveryResult> {
  const answer = await http.send(
    {
      origin: target.origin,
      path: `${target.pathname}${target.search}`,
      method: "POST",
      headers: lowerCased(req.headers),
      body: req.body,
    },
    { deadlineMs: timeoutMs, maxBytes: DELIVERY_READ, keepBytes: DELIVERY_KEEP },
  );
  const ms = Math.round(answer.latencyMs);
  if (!answer.ok) return { ok: false, ms, error: failureText(answer.failure) };
  // A 1xx is interim and never the answer, so below 300 means 2xx.
  const ok = answer.status < 300;
  return {
    ok,
    status: answer.status,
    ms,
    error: ok ? undefined : `answered ${answer.status}`,
    responseBody: answer.body,
  };
}

/** Provider modules spell header names their own way; one spelling each, the later one winning. */
export function lowerCased(headers: Record<string, string>): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) result[name.toLowerCase()] = value;
  return result;
}
