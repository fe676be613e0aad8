import { Agent, request } from "undici";
import type { OutgoingRequest } from "./build.js";

/** What came back, or why nothing did. Never thrown: a dead target is a failed request, not a crash. */
export interface Answer {
  status?: number;
  /** From the first byte sent to the last byte of the answer read. */
  latencyMs: number;
  /** The start of the answer body, for reports (bounded). */
  bodyStart?: string;
  /** Set when there was no HTTP answer: refused, reset, timed out. */
  error?: string;
}

const BODY_KEEP = 512;

export interface Sender {
  send(req: OutgoingRequest, timeoutMs: number): Promise<Answer>;
  close(): Promise<void>;
}

/** Keep-alive connections sized to the concurrency, so a long replay reuses sockets instead of opening one per request. */
export function createSender(
  concurrency: number,
  now: () => number = performance.now.bind(performance),
): Sender {
  const agent = new Agent({ connections: Math.max(1, concurrency), keepAliveTimeout: 10_000, pipelining: 1 });
  return {
    send: (req, timeoutMs) => sendOne(agent, req, timeoutMs, now),
    close: () => agent.close(),
  };
}

async function sendOne(
  agent: Agent,
  req: OutgoingRequest,
  timeoutMs: number,
  now: () => number,
): Promise<Answer> {
  const started = now();
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    const hasBody = req.method !== "GET" && req.method !== "HEAD";
    const response = await request(req.url, {
      method: req.method as "POST",
      headers: req.headers,
      body: hasBody ? req.body : undefined,
      dispatcher: agent,
      signal,
    });
    let kept = Buffer.alloc(0);
    for await (const chunk of response.body) {
      if (kept.length < BODY_KEEP) kept = Buffer.concat([kept, chunk as Buffer]).subarray(0, BODY_KEEP);
    }
    return { status: response.statusCode, latencyMs: now() - started, bodyStart: kept.toString("utf8") };
  } catch (error) {
    return { latencyMs: now() - started, error: describeError(error, signal.aborted, timeoutMs) };
  }
}

function describeError(error: unknown, timedOut: boolean, timeoutMs: number): string {
  if (timedOut) return `no answer within ${timeoutMs}ms (timed out)`;
  const e = error as NodeJS.ErrnoException & { cause?: NodeJS.ErrnoException };
  const code = e.code ?? e.cause?.code;
  if (code === "ECONNREFUSED") return "connection refused (is the app running?)";
  if (code === "ENOTFOUND") return "host not found";
  if (code === "ECONNRESET" || code === "UND_ERR_SOCKET") return "connection reset by the target";
  return `${code ? `${code}: ` : ""}${e.cause?.message ?? e.message}`;
}
