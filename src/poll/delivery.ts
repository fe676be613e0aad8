import { request } from "undici";
import type { DeliveryRequest } from "./types.js";

export interface DeliveryResult {
  ok: boolean;
  status?: number;
  ms: number;
  error?: string;
  /** The start of the app's answer (bounded), for the line that shows its status. */
  responseBody?: Uint8Array;
}

const KEEP_BYTES = 64 * 1024;

/**
 * POSTs one event to the app, as the provider would. Only a 2xx counts: a redirect or an error page
 * means the app did not take the event, and the cursor must not move past it.
 */
export async function deliver(target: URL, req: DeliveryRequest, timeoutMs: number): Promise<DeliveryResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  try {
    const res = await request(target, {
      method: "POST",
      headers: lowerCased(req.headers),
      body: req.body,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    });
    // The start is kept for the person reading the line; the rest is read so the connection can be reused.
    const chunks: Buffer[] = [];
    let kept = 0;
    try {
      for await (const chunk of res.body as AsyncIterable<Buffer>) {
        if (kept < KEEP_BYTES) chunks.push(chunk.subarray(0, KEEP_BYTES - kept));
        kept += chunk.length;
        if (kept > 1024 * 1024) break;
      }
    } catch {
      // A broken answer body still has its status.
    }
    const ok = res.statusCode >= 200 && res.statusCode < 300;
    return {
      ok,
      status: res.statusCode,
      ms: elapsed(),
      error: ok ? undefined : `answered ${res.statusCode}`,
      responseBody: Buffer.concat(chunks),
    };
  } catch (error) {
    const code = (error as { code?: string }).code;
    const message =
      code === "UND_ERR_HEADERS_TIMEOUT" ? `no answer within ${timeoutMs}ms` : (error as Error).message;
    return {
      ok: false,
      ms: elapsed(),
      error: code && code !== "UND_ERR_HEADERS_TIMEOUT" ? `${code}: ${message}` : message,
    };
  }
}

/** Provider modules spell header names their own way; one spelling each, the later one winning. */
function lowerCased(headers: Record<string, string>): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) result[name.toLowerCase()] = value;
  return result;
}
