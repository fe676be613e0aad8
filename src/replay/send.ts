import { Agent } from "undici";
import { splitUrl } from "../deliver/forward.js";
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
export function createSender(concurrency: number, connectTimeoutMs = 10_000): Sender {
  const now = () => performance.now();
  const agent = new Agent({
    connections: Math.max(1, concurrency),
    keepAliveTimeout: 10_000,
    pipelining: 1,
    connect: { timeout: connectTimeoutMs },
  });
  return {
    send: (req, timeoutMs) => sendOne(agent, req, timeoutMs, now),
    close: () => agent.close(),
  };
}

/**
 * One request through undici's dispatcher with a plain callback handler: at thousands of requests
 * the promise-and-stream wrapper of request() was most of the client's cost.
 */
function sendOne(agent: Agent, req: OutgoingRequest, timeoutMs: number, now: () => number): Promise<Answer> {
  const started = now();
  const url = splitUrl(req.url);
  const hasBody = req.method !== "GET" && req.method !== "HEAD";
  return new Promise((resolve) => {
    agent.dispatch(
      {
        origin: url.origin,
        path: url.path,
        method: req.method as "POST",
        headers: req.headers,
        body: hasBody ? req.body : undefined,
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
      },
      new AnswerHandler(resolve, started, timeoutMs, now) as unknown as Parameters<Agent["dispatch"]>[1],
    );
  });
}

/**
 * The dispatch handler: one small object per request with its methods on the prototype, rather
 * than five fresh closures per request.
 */
class AnswerHandler {
  private status: number | undefined;
  private kept = "";

  constructor(
    private readonly resolve: (answer: Answer) => void,
    private readonly started: number,
    private readonly timeoutMs: number,
    private readonly now: () => number,
  ) {}

  onConnect(): void {}

  onHeaders(statusCode: number): boolean {
    this.status = statusCode;
    return true;
  }

  // The whole answer is read (so the connection can be reused) but only its start is kept.
  onData(chunk: Buffer): boolean {
    if (this.kept.length < BODY_KEEP) this.kept += chunk.toString("utf8", 0, BODY_KEEP - this.kept.length);
    return true;
  }

  onComplete(): void {
    this.resolve({ status: this.status, latencyMs: this.now() - this.started, bodyStart: this.kept });
  }

  onError(error: Error): void {
    this.resolve({ latencyMs: this.now() - this.started, error: describeError(error, this.timeoutMs) });
  }
}

function describeError(error: unknown, timeoutMs: number): string {
  const e = error as NodeJS.ErrnoException & { cause?: NodeJS.ErrnoException };
  const code = e.code ?? e.cause?.code;
  if (code === "UND_ERR_HEADERS_TIMEOUT" || code === "UND_ERR_BODY_TIMEOUT") {
    return `no answer within ${timeoutMs}ms (timed out)`;
  }
  if (code === "ECONNREFUSED") return "connection refused (is the app running?)";
  if (code === "ENOTFOUND") return "host not found";
  if (code === "ECONNRESET" || code === "UND_ERR_SOCKET") return "connection reset by the target";
  return `${code ? `${code}: ` : ""}${e.cause?.message ?? e.message}`;
}
