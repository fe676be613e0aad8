import { util } from "undici";
import { HttpClient } from "../net/client.js";
import { failureText } from "../net/errors.js";
import type { Limits } from "../net/exchange.js";
import { endToEndFlat, endToEndHeaders } from "../net/headers.js";
import { splitUrl, urlJoiner } from "../net/url.js";

export interface OutgoingRequest {
  method: string;
  /** Path and query as received: appended to the target's path. */
  path: string;
  headers: [string, string][];
  body: Uint8Array;
}

export type ForwardResult =
  | { ok: true; status: number; headers: [string, string][]; body: Buffer; latencyMs: number }
  | {
      ok: false;
      kind: "unreachable" | "timeout";
      /** The whole sentence, naming the target's host: for hook's own output only. */
      error: string;
      /** What went wrong in a word ("refused", "timeout", "dns" ...): safe to tell the sender. */
      why: string;
      latencyMs: number;
    };

/** Makes a request what is sent; `deliveryId` is the request's own, when the pipeline knows it. */
export type Prepare = (request: OutgoingRequest, deliveryId: string | undefined) => OutgoingRequest;

/** An app's answer larger than this is cut (its status still counts): a provider reads only the status. */
const FORWARD_ANSWER_MAX = 10 * 1024 * 1024;

/** Sends requests to one target over a keep-alive connection pool. */
export class Forwarder {
  readonly target: URL;
  private readonly limits: Limits;
  private readonly client: HttpClient;
  private readonly urlFor: (path: string) => string;
  private readonly prepare: Prepare | undefined;

  /**
   * `timeoutMs` (--timeout) is a deadline for the whole exchange: connect, headers and body. `env`
   * holds the proxy variables (every forwarder honours them the same way); `prepare`, when given,
   * makes each request what is sent (--forward-secret re-signs it with the app's secret).
   */
  constructor(target: URL, timeoutMs: number, env: Record<string, string | undefined>, prepare?: Prepare) {
    this.target = target;
    this.prepare = prepare;
    this.urlFor = urlJoiner(target);
    this.limits = { deadlineMs: timeoutMs, maxBytes: FORWARD_ANSWER_MAX };
    this.client = new HttpClient({ env, connections: 256, keepAliveTimeoutMs: 4_000 });
  }

  /** `deliveryId`: the request's own, as the pipeline described it (what `prepare` keeps when it re-signs). */
  async send(request: OutgoingRequest, deliveryId?: string): Promise<ForwardResult> {
    const outgoing = this.prepare ? this.prepare(request, deliveryId) : request;
    const { origin, path } = splitUrl(this.urlFor(outgoing.path));
    const headers = endToEndFlat(outgoing.headers);
    const answer = await this.client.send(
      { origin, path, method: outgoing.method, headers, body: outgoing.body },
      this.limits,
    );
    if (!answer.ok) {
      const kind = answer.failure.kind === "timeout" ? "timeout" : "unreachable";
      const error = failureText(answer.failure);
      return { ok: false, kind, error, why: answer.failure.kind, latencyMs: answer.latencyMs };
    }
    // The same parsing as request(): lower-case names, repeated ones grouped in first-seen order.
    const parsed = util.parseHeaders(answer.rawHeaders) as ResponseHeaders;
    return {
      ok: true,
      status: answer.status,
      headers: endToEndHeaders(responsePairs(parsed)),
      body: answer.body,
      latencyMs: answer.latencyMs,
    };
  }

  /**
   * Lets requests still in flight finish for up to `graceMs`, then cuts them: on Ctrl-C a target that
   * never answers must not hold hook for the whole --timeout. Their senders get no 2xx, so they retry.
   */
  close(graceMs = 1_000): Promise<void> {
    return this.client.close(graceMs);
  }
}

type ResponseHeaders = Record<string, string | string[] | undefined>;

function responsePairs(headers: ResponseHeaders): [string, string][] {
  const pairs: [string, string][] = [];
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    for (const one of Array.isArray(value) ? value : [value]) pairs.push([name, one]);
  }
  return pairs;
}
