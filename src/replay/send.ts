import { HttpClient } from "../net/client.js";
import { failureText } from "../net/errors.js";
import type { Exchange, Limits } from "../net/exchange.js";
import { splitUrl } from "../net/url.js";
import type { OutgoingRequest } from "./build.js";

/** What came back, or why nothing did. Never thrown: a dead target is a failed request, not a crash. */
export interface Answer {
  status?: number;
  /** From the first byte sent to the last byte of the answer read. */
  latencyMs: number;
  /** The start of the answer body (the first RESPONSE_KEEP bytes), for lines and reports. */
  responseBody?: Uint8Array;
  /** Set when there was no HTTP answer: refused, reset, timed out. */
  error?: string;
}

/** Of an app's answer, this much is kept for the result; up to RESPONSE_READ is read so the connection can be reused. */
export const RESPONSE_KEEP = 64 * 1024;
const RESPONSE_READ = 1024 * 1024;

export interface Sender {
  /** `timeoutMs` bounds the whole exchange, connect to last byte. */
  send(req: OutgoingRequest, timeoutMs: number): Promise<Answer>;
  close(): Promise<void>;
}

/** Keep-alive connections sized to the concurrency, so a long replay reuses sockets instead of opening one per request. */
export function createSender(
  concurrency: number,
  env: Record<string, string | undefined> = {},
  connectTimeoutMs = 10_000,
): Sender {
  const client = new HttpClient({
    env,
    connections: Math.max(1, concurrency),
    keepAliveTimeoutMs: 10_000,
    connectTimeoutMs,
  });
  // A run sends every request with the same --timeout: one Limits for all of them.
  let limits: Limits = { deadlineMs: 0, maxBytes: RESPONSE_READ, keepBytes: RESPONSE_KEEP };
  return {
    send: (req, timeoutMs) => {
      if (limits.deadlineMs !== timeoutMs) limits = { ...limits, deadlineMs: timeoutMs };
      const { origin, path } = splitUrl(req.url);
      return client
        .send({ origin, path, method: req.method, headers: req.headers, body: req.body }, limits)
        .then(toAnswer);
    },
    close: () => client.close(),
  };
}

function toAnswer(answer: Exchange): Answer {
  if (!answer.ok) return { latencyMs: answer.latencyMs, error: failureText(answer.failure) };
  return { status: answer.status, latencyMs: answer.latencyMs, responseBody: answer.body };
}
