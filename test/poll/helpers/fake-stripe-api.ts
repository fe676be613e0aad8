import type { IncomingMessage, ServerResponse } from "node:http";
import { LocalServer } from "../../helpers/local-server.js";

export interface FakeReply {
  status: number;
  headers?: Record<string, string>;
  body?: string;
  /** Headers, then a space every 50 ms, never ending: an answer that never completes. */
  trickle?: boolean;
}

export interface StripeEventLike {
  id: string;
  object: "event";
  type: string;
  created: number;
  data: { object: Record<string, unknown> };
}

/**
 * A stand-in for GET /v1/events that pages as Stripe documents: newest first; `starting_after`
 * returns older objects, `ending_before` the newer ones adjacent to the cursor; `limit` 1-100
 * (default 10); `has_more`; `created[gte]`. Events are added oldest first.
 */
export class FakeStripeApi extends LocalServer {
  readonly events: StripeEventLike[] = [];
  readonly calls: string[] = [];
  readonly authHeaders: (string | undefined)[] = [];
  /** Answers to give before the real ones (429, 500 …), one per request. */
  readonly failures: FakeReply[] = [];
  key = "sk_test_fake";
  /** Off: `created[gte]` is ignored, as stripe-mock and some proxies do. */
  honourCreated = true;
  private clock = 1_700_000_000;

  /** Adds `count` events, each one second after the previous. */
  add(count: number, type = "payment_intent.succeeded", created?: number): StripeEventLike[] {
    const added: StripeEventLike[] = [];
    for (let i = 0; i < count; i += 1) {
      this.clock = created ?? this.clock + 1;
      const n = this.events.length;
      const event: StripeEventLike = {
        id: `evt_${String(n).padStart(6, "0")}x${(n * 7919).toString(36)}`,
        object: "event",
        type,
        created: this.clock,
        data: { object: { id: `pi_${n}`, object: "payment_intent", amount: 1000 + n, note: "naïve ☕" } },
      };
      this.events.push(event);
      added.push(event);
    }
    return added;
  }

  protected handle(req: IncomingMessage, res: ServerResponse): void {
    this.calls.push(req.url ?? "");
    this.authHeaders.push(req.headers.authorization);
    const failure = this.failures.shift();
    if (failure?.trickle) {
      res.writeHead(failure.status, { "content-type": "application/json" });
      const timer = setInterval(() => res.write(" "), 50);
      res.on("close", () => clearInterval(timer));
      return;
    }
    if (failure) {
      send(res, failure.status, failure.body ?? "{}", failure.headers);
      return;
    }
    const url = new URL(req.url ?? "/", "http://x");
    if (url.pathname !== "/v1/events") {
      send(res, 404, JSON.stringify({ error: { message: "Unrecognized request URL" } }));
      return;
    }
    const auth = req.headers.authorization ?? "";
    const basic = `Basic ${Buffer.from(`${this.key}:`).toString("base64")}`;
    if (auth !== `Bearer ${this.key}` && auth !== basic) {
      send(res, 401, JSON.stringify({ error: { message: "Invalid API Key provided: sk_***" } }));
      return;
    }
    const answer = this.list(url.searchParams);
    send(res, answer.status, JSON.stringify(answer.body));
  }

  private list(params: URLSearchParams): { status: number; body: unknown } {
    const limit = Number(params.get("limit") ?? "10");
    if (!Number.isInteger(limit) || limit < 1 || limit > 100)
      return { status: 400, body: { error: { message: "Invalid limit" } } };
    const gte = this.honourCreated ? params.get("created[gte]") : null;
    // Newest first, as Stripe lists.
    const all = this.events.filter((e) => gte === null || e.created >= Number(gte)).reverse();
    const before = params.get("ending_before");
    const after = params.get("starting_after");
    let data: StripeEventLike[];
    let hasMore: boolean;
    if (before !== null) {
      const at = all.findIndex((e) => e.id === before);
      if (at < 0) return missing(before);
      const newer = all.slice(0, at);
      data = newer.slice(Math.max(0, newer.length - limit));
      hasMore = newer.length > limit;
    } else {
      const from = after === null ? 0 : all.findIndex((e) => e.id === after) + 1;
      if (after !== null && from === 0) return missing(after);
      data = all.slice(from, from + limit);
      hasMore = all.length > from + limit;
    }
    return { status: 200, body: { object: "list", url: "/v1/events", has_more: hasMore, data } };
  }
}

function missing(id: string) {
  return { status: 404, body: { error: { message: `No such event: '${id}'`, code: "resource_missing" } } };
}

function send(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(body);
}
