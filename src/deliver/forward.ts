import { Agent, errors, util } from "undici";
import { endToEndFlat, endToEndHeaders } from "./headers.js";

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

  /**
   * One request through undici's dispatcher with a plain callback handler: request()'s promise, body
   * stream and per-request AbortController were most of the forwarding cost. --timeout stays a deadline
   * for the whole exchange (connect, headers and body), as it was: one timer that aborts the request.
   */
  send(outgoing: OutgoingRequest): Promise<ForwardResult> {
    const started = performance.now();
    const timeoutMs = this.timeoutMs;
    const url = this.urlFor(outgoing.path);
    const { origin, path } = splitUrl(url);
    return new Promise((resolve) => {
      let abort: ((reason?: Error) => void) | undefined;
      let timedOut = false;
      let status = 0;
      let headers: [string, string][] = [];
      const chunks: Buffer[] = [];
      const timer = setTimeout(() => {
        timedOut = true;
        abort?.(new errors.RequestAbortedError());
      }, timeoutMs);
      const handler = {
        onConnect(abortRequest: (reason?: Error) => void) {
          abort = abortRequest;
          // The deadline passed before the request got a connection.
          if (timedOut) abortRequest(new errors.RequestAbortedError());
        },
        onHeaders(statusCode: number, rawHeaders: Buffer[]) {
          // 1xx (100 Continue, 103 Early Hints) are interim: the answer is still to come.
          if (statusCode < 200) return true;
          status = statusCode;
          // The same parsing as request(): lower-case names, repeated ones grouped in first-seen order.
          headers = endToEndHeaders(responsePairs(util.parseHeaders(rawHeaders) as ResponseHeaders));
          return true;
        },
        onData(chunk: Buffer) {
          chunks.push(chunk);
          return true;
        },
        onComplete() {
          clearTimeout(timer);
          const body = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks);
          resolve({ ok: true, status, headers, body, latencyMs: performance.now() - started });
        },
        onError(error: Error) {
          clearTimeout(timer);
          const latencyMs = performance.now() - started;
          if (timedOut) {
            resolve({ ok: false, kind: "timeout", error: `no answer within ${timeoutMs}ms`, latencyMs });
          } else {
            resolve({ ok: false, kind: "unreachable", error: describeError(error), latencyMs });
          }
        },
      };
      this.agent.dispatch(
        {
          origin,
          path,
          method: outgoing.method as "POST",
          headers: endToEndFlat(outgoing.headers),
          body: outgoing.method === "GET" || outgoing.method === "HEAD" ? undefined : outgoing.body,
          headersTimeout: 0,
          bodyTimeout: 0,
        },
        handler as unknown as Parameters<Agent["dispatch"]>[1],
      );
    });
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

type ResponseHeaders = Record<string, string | string[] | undefined>;

const splitCache = new Map<string, { origin: string; path: string }>();

/** origin and path+query of a URL, parsed once per distinct URL (replay uses it too). */
export function splitUrl(href: string): { origin: string; path: string } {
  let found = splitCache.get(href);
  if (!found) {
    const url = new URL(href);
    found = { origin: url.origin, path: `${url.pathname}${url.search}` };
    if (splitCache.size >= 1000) splitCache.clear();
    splitCache.set(href, found);
  }
  return found;
}

function responsePairs(headers: ResponseHeaders): [string, string][] {
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
