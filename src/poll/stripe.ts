import { HookError } from "../errors.js";
import { ApiError, type ApiResponse } from "./api-client.js";
import { Spool } from "./spool.js";
import type { PollItem, Source, SourceContext } from "./types.js";

export const STRIPE_API = "https://api.stripe.com";
const PAGE = 100;

interface StripeEvent {
  id: string;
  type?: string;
  created?: number;
}

interface StripeList {
  data: StripeEvent[];
  has_more: boolean;
}

interface StripeSourceOptions {
  apiBase: string;
  /** Where a backfill spools its pages (deleted afterwards). */
  spoolPath: () => string;
  /** Headers that make a body verifiable (Stripe-Signature), or none without --secret. */
  sign: (body: Uint8Array) => Record<string, string>;
}

/**
 * GET /v1/events, which lists newest first. New events come from `ending_before=<cursor>`: each page
 * reversed is oldest first, the next cursor is data[0].id, repeat while has_more (what stripe-node's
 * auto-pager does). The cursor is never filtered by type, so --types cannot lose its place.
 */
export function stripeSource(options: StripeSourceOptions): Source {
  const base = options.apiBase.replace(/\/+$/, "");
  const list = async (context: SourceContext, query: string): Promise<StripeList> => {
    const url = `${base}/v1/events?${query}`;
    const { value } = await context.api.call({ url }, parseList, (list) => list.data.length);
    return value;
  };
  const toItem = (event: StripeEvent): PollItem => ({
    id: event.id,
    type: event.type,
    cursor: event.id,
    request: () => stripeRequest(event, options.sign),
  });

  async function* forward(context: SourceContext, from: string): AsyncGenerator<PollItem[]> {
    let cursor = from;
    for (;;) {
      const page = await list(context, `ending_before=${encodeURIComponent(cursor)}&limit=${PAGE}`).catch(
        (error) => {
          throw error instanceof ApiError && error.status === 404 ? cursorGone(cursor, error) : error;
        },
      );
      yield page.data.toReversed().map(toItem);
      const newest = page.data[0];
      if (!page.has_more || !newest) return;
      cursor = newest.id;
    }
  }

  /** The first run with --since: walk back to the start of the window, then deliver it forwards. */
  async function* backfill(context: SourceContext, since: Date | "all"): AsyncGenerator<PollItem[]> {
    const spool = new Spool(options.spoolPath());
    try {
      const newest = await walkBack(context, since, spool);
      for (const lines of spool.oldestFirst())
        yield lines.map((line) => toItem(JSON.parse(line) as StripeEvent));
      if (newest) yield* forward(context, newest);
    } finally {
      spool.close();
    }
  }

  async function walkBack(
    context: SourceContext,
    since: Date | "all",
    spool: Spool,
  ): Promise<string | undefined> {
    const created = since === "all" ? "" : `&created[gte]=${Math.floor(since.getTime() / 1000)}`;
    let newest: string | undefined;
    let after = "";
    for (;;) {
      const page = await list(context, `limit=${PAGE}${created}${after}`);
      newest ??= page.data[0]?.id;
      const inWindow = page.data.filter((e) => since === "all" || (e.created ?? 0) * 1000 >= since.getTime());
      spool.push(inWindow.map((e) => JSON.stringify(e)));
      const oldest = page.data.at(-1);
      if (!page.has_more || !oldest || inWindow.length < page.data.length) return newest;
      after = `&starting_after=${encodeURIComponent(oldest.id)}`;
    }
  }

  return {
    key: "events",
    async *pages(context) {
      if (context.state.cursor) return yield* forward(context, context.state.cursor);
      if (context.since !== undefined) return yield* backfill(context, context.since);
      // First run, from now: the newest event becomes the cursor and nothing is delivered.
      const page = await list(context, "limit=1");
      const newest = page.data[0];
      if (newest) yield [{ id: newest.id, type: newest.type, cursor: newest.id, skip: "bootstrap" }];
    },
  };
}

/** Stripe lists events for 30 days: a cursor older than that cannot be paged from. Never reset silently. */
function cursorGone(cursor: string, cause: ApiError): HookError {
  return new HookError(`Stripe API: the cursor event ${cursor} is no longer listed (${cause.message})`, {
    hint: "Stripe keeps events 30 days; nothing after the cursor was skipped. To start again, move the state file away and run with --since 30d (events delivered before may come again)",
  });
}

function parseList(res: ApiResponse): StripeList {
  let parsed: Partial<StripeList>;
  try {
    parsed = JSON.parse(res.body.toString("utf8")) as Partial<StripeList>;
  } catch {
    throw new HookError("Stripe API: the events list is not JSON", { hint: "check --api-base" });
  }
  if (!Array.isArray(parsed.data) || parsed.data.some((e) => typeof e?.id !== "string")) {
    throw new HookError("Stripe API: the answer has no data[] of events with ids", {
      hint: "check --api-base",
    });
  }
  return { data: parsed.data, has_more: parsed.has_more === true };
}

/**
 * The webhook Stripe would have sent. The body is the event as the API listed it, serialised with
 * two-space indentation like Stripe's own webhook bodies: extracting one element from a list cannot
 * keep the original bytes, and the signature is made over exactly what is sent.
 */
function stripeRequest(event: StripeEvent, sign: StripeSourceOptions["sign"]) {
  const body = Buffer.from(JSON.stringify(event, null, 2));
  return {
    body,
    headers: {
      "content-type": "application/json; charset=utf-8",
      "user-agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks)",
      accept: "*/*; q=0.5, application/xml",
      "cache-control": "no-cache",
      ...sign(body),
    },
  };
}
