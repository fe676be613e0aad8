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
  const url = new URL(target.href);
  const [pathname = "", query] = splitOnce(path, "?");
  const base = url.pathname.endsWith("/") ? url.pathname.slice(0, -1) : url.pathname;
  url.pathname = pathname === "/" && base !== "" ? base : `${base}${pathname}`;
  // Assigning .search would re-encode it; keep the sender's query bytes as they were.
  const ownQuery = url.search.slice(1);
  const merged = [ownQuery, query ?? ""].filter(Boolean).join("&");
  return `${url.origin}${url.pathname}${merged ? `?${merged}` : ""}`;
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

  constructor(target: URL, timeoutMs: number) {
    this.target = target;
    this.timeoutMs = timeoutMs;
    this.agent = new Agent({ keepAliveTimeout: 4_000, connections: 256 });
  }

  async send(outgoing: OutgoingRequest): Promise<ForwardResult> {
    const started = performance.now();
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.timeoutMs);
    try {
      const response = await request(targetUrl(this.target, outgoing.path), {
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

  async close(): Promise<void> {
    await this.agent.close().catch(() => undefined);
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
