import { Agent, errors, request } from "undici";
import { endToEndHeaders } from "./headers.js";

export interface OutgoingRequest {
  method: string;
  /** Path and query as received: appended to the target's path. */
  path: string;
  headers: [string, string][];
  body: Uint8Array;
}

export type ForwardResult =
  | { ok: true; status: number; headers: [string, string][]; body: Buffer; latencyMs: number }
  | { ok: false; kind: "unreachable" | "timeout"; error: string; latencyMs: number };

/** "/webhooks" + "/stripe?x=1" -> "/webhooks/stripe?x=1"; the target's own query comes first. */
export function targetUrl(target: URL, path: string): string {
  return joiner(target)(path);
}

/** Parses the target once; the per-request part is string work only. */
function joiner(target: URL): (path: string) => string {
  const base = target.pathname.endsWith("/") ? target.pathname.slice(0, -1) : target.pathname;
  const ownQuery = target.search.slice(1);
  return (path) => {
    const [pathname = "", query] = splitOnce(path, "?");
    const joined = pathname === "/" && base !== "" ? base : `${base}${pathname}`;
    // The sender's query bytes are kept as they were, not re-encoded.
    const merged = ownQuery && query ? `${ownQuery}&${query}` : ownQuery || query || "";
    return `${target.origin}${joined || "/"}${merged ? `?${merged}` : ""}`;
  };
}

function splitOnce(text: string, separator: string): [string, string | undefined] {
  const i = text.indexOf(separator);
  return i < 0 ? [text, undefined] : [text.slice(0, i), text.slice(i + 1)];
}

/** Sends requests to one target over a keep-alive connection pool. */
export class Forwarder {
  readonly target: URL;
  private readonly timeoutMs: number;
  private readonly agent: Agent;
  private readonly urlFor: (path: string) => string;

  constructor(target: URL, timeoutMs: number) {
    this.target = target;
    this.urlFor = joiner(target);
    this.timeoutMs = timeoutMs;
    this.agent = new Agent({ keepAliveTimeout: 4_000, connections: 256 });
  }

  async send(outgoing: OutgoingRequest): Promise<ForwardResult> {
    const started = performance.now();
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.timeoutMs);
    try {
      const response = await request(this.urlFor(outgoing.path), {
        method: outgoing.method as "POST",
        headers: endToEndHeaders(outgoing.headers).flat(),
        body: outgoing.method === "GET" || outgoing.method === "HEAD" ? undefined : outgoing.body,
        dispatcher: this.agent,
        signal: controller.signal,
        headersTimeout: 0,
        bodyTimeout: 0,
      });
      const body = Buffer.from(await response.body.arrayBuffer());
      return {
        ok: true,
        status: response.statusCode,
        headers: endToEndHeaders(responsePairs(response.headers)),
        body,
        latencyMs: performance.now() - started,
      };
    } catch (error) {
      const latencyMs = performance.now() - started;
      if (controller.signal.aborted) {
        return { ok: false, kind: "timeout", error: `no answer within ${this.timeoutMs}ms`, latencyMs };
      }
      return { ok: false, kind: "unreachable", error: describeError(error), latencyMs };
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Lets requests still in flight finish for up to `graceMs`, then cuts them: on Ctrl-C a target that
   * never answers must not hold hook for the whole --timeout. Their senders get no 2xx, so they retry.
   */
  async close(graceMs = 1_000): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<"late">((resolve) => {
      timer = setTimeout(() => resolve("late"), graceMs);
    });
    const result = await Promise.race([this.agent.close().catch(() => undefined), grace]);
    clearTimeout(timer);
    if (result === "late") await this.agent.destroy().catch(() => undefined);
  }
}

function responsePairs(headers: Record<string, string | string[] | undefined>): [string, string][] {
  const pairs: [string, string][] = [];
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    for (const one of Array.isArray(value) ? value : [value]) pairs.push([name, one]);
  }
  return pairs;
}

function describeError(error: unknown): string {
  const err = error as NodeJS.ErrnoException & { cause?: NodeJS.ErrnoException };
  const code = err.code ?? err.cause?.code;
  if (code === "ECONNREFUSED") return "connection refused (is the app running?)";
  if (code === "ENOTFOUND") return "host not found";
  if (error instanceof errors.SocketError) return `connection closed by the target: ${err.message}`;
  return code ? `${code}: ${err.message}` : err.message;
}
