import type { ApiClient } from "./api-client.js";

/**
 * One event found by a source, ready to deliver (or to step over). Sources return them oldest
 * first; the pass delivers them in that order and moves the cursor past each only after a 2xx.
 */
export interface PollItem {
  /** The provider's event id: what the delivered-set remembers. */
  id: string;
  /** Event type for display and --types. */
  type?: string;
  /** The cursor after this item (Stripe/GitHub: the event id). */
  cursor?: string;
  /** LiqPay: the order and status this item reports. */
  order?: string;
  status?: string;
  /** Why this item is stepped over instead of delivered ("bootstrap", "filtered", "unmapped"). */
  skip?: string;
  /** The request to send, built lazily so that skipped items cost nothing. */
  request?: () => DeliveryRequest;
}

export interface DeliveryRequest {
  body: Uint8Array;
  headers: Record<string, string>;
}

/** What a source may read of the state, and what it may ask to keep at the end of a clean pass. */
export interface SourceState {
  cursor?: string;
  etag?: string;
  orders?: Record<string, string>;
  /** The first run's backfill request, kept until the first event is delivered. */
  since?: string;
}

export interface SourceContext {
  api: ApiClient;
  state: SourceState;
  /** Whether an id was already delivered (or seen at bootstrap). */
  seen(id: string): boolean;
  now(): Date;
  /** Backfill on the first run: undefined = from now. */
  since?: Date | "all";
  signal: AbortSignal;
  /** Something the person should know that does not stop the pass (a possible gap). */
  warn(message: string): void;
}

/** State a source wants saved once every item of the pass was handled. */
export interface PassEnd {
  etag?: string;
  /** The provider asks to be polled no more often than this (GitHub X-Poll-Interval). */
  pollIntervalMs?: number;
  /** LiqPay: every order reached a final status. */
  finished?: boolean;
}

export interface Source {
  /** For the state file name and the foreign-state check: "events", "repo-octo-hello". */
  readonly key: string;
  /**
   * Pages of items, oldest first. A page is handed over as soon as it can be ordered, so memory
   * stays bounded by a page (Stripe's backfill spools to disk for that reason).
   */
  pages(context: SourceContext): AsyncIterable<PollItem[]>;
  /** Called after a pass in which every item was handled. */
  end?(): PassEnd;
}
