import type { HttpClient } from "../net/client.js";
import type { ApiClient } from "./api-client.js";
import { Interrupted } from "./api-client.js";
import { type DeliveryResult, deliver } from "./delivery.js";
import type { PollEvent } from "./poll-event.js";
import type { PollState } from "./state.js";
import type { DeliveryRequest, PassEnd, PollItem, Source } from "./types.js";

/**
 * The state file (fsync'd) is rewritten after this many journal entries, at a page boundary, and at
 * the end of every pass. The journal itself survives a kill -9; only a power cut could make up to
 * this many deliveries repeat (never skip: the saved cursor is behind them).
 */
const SAVE_EVERY = 1000;

export interface PassOptions {
  source: Source;
  state: PollState;
  api: ApiClient;
  /** Deliveries go through the same client as the API calls (one proxy decision, one pool). */
  http: HttpClient;
  target: URL;
  timeoutMs: number;
  /** --types: whether an event type is wanted. */
  wanted: (type: string | undefined) => boolean;
  /** --since: the backfill window of a first run. */
  since?: Date | "all";
  /** Whether this is the first pass on a state that did not exist (default: the state is new). */
  firstPass?: boolean;
  now: () => Date;
  signal: AbortSignal;
  emit: (event: PollEvent) => void;
  /**
   * How an item reaches the app. Default: POSTed to `target` (hook poll). `hook listen --reconcile`
   * hands it to its receiving pipeline instead, so it is forwarded or queued like a webhook; the
   * cursor and delivered-set rules stay the ones here, for both.
   */
  send?: (request: DeliveryRequest, item: PollItem) => Promise<DeliveryResult>;
}

export interface PassResult {
  delivered: number;
  skipped: number;
  /** The delivery that failed; everything after it waits for the next pass. */
  failed?: { id: string; error: string };
  interrupted: boolean;
  end?: PassEnd;
}

/**
 * One pass: every page the source finds, oldest first, each item delivered in order. The cursor
 * moves past an item only after a 2xx (or when the item is deliberately stepped over); the first
 * failed delivery ends the pass, so nothing after it can overtake it. State is saved at page
 * boundaries (see SAVE_EVERY) and at the end, whatever happened.
 */
export async function runPass(options: PassOptions): Promise<PassResult> {
  const { source, state, signal } = options;
  const result: PassResult = { delivered: 0, skipped: 0, interrupted: false };
  const context = {
    api: options.api,
    state: state.data,
    seen: (id: string) => state.seen(id),
    now: options.now,
    since: startingPoint(state, options.since, options.firstPass ?? !state.existed),
    signal,
    warn: (message: string) => options.emit({ kind: "warning", message }),
  };
  try {
    pages: for await (const page of source.pages(context)) {
      for (const item of page) {
        // Ctrl-C between deliveries: the one in flight has finished, the rest waits.
        if (signal.aborted) throw new Interrupted();
        const outcome = await handle(item, options);
        if (outcome === "delivered") result.delivered += 1;
        else if (outcome === "skipped") result.skipped += 1;
        else {
          result.failed = { id: item.id, error: outcome.error };
          break pages;
        }
      }
      if (state.pendingJournal >= SAVE_EVERY) state.save();
    }
  } catch (error) {
    if (!(error instanceof Interrupted)) throw error;
    result.interrupted = true;
  } finally {
    // Fold the journal into the state file even when the pass stopped on an error. A first run
    // that failed before its bootstrap finished writes nothing, so the next run is a first run again.
    if (state.pendingJournal > 0) state.save();
  }
  if (!result.failed && !result.interrupted) {
    result.end = source.end?.() ?? {};
    state.save({ etag: result.end.etag, pollIntervalMs: result.end.pollIntervalMs });
  }
  return result;
}

async function handle(
  item: PollItem,
  options: PassOptions,
): Promise<"delivered" | "skipped" | { error: string }> {
  const { state, emit } = options;
  const step = { cursor: item.cursor, order: item.order, status: item.status };
  const reason =
    item.skip ?? (state.seen(item.id) ? "already delivered" : undefined) ?? filtered(item, options);
  if (reason !== undefined || !item.request) {
    // Bootstrap ids are remembered as seen: an http source without a cursor relies on that.
    state.record({ ...step, id: item.skip === "bootstrap" ? item.id : undefined });
    emit({ kind: "skip", id: item.id, type: item.type, reason: reason ?? "nothing to send" });
    return "skipped";
  }
  const request = item.request();
  const outcome = options.send
    ? await options.send(request, item)
    : await deliver(options.http, options.target, request, options.timeoutMs);
  emit({
    kind: "delivery",
    id: item.id,
    type: item.type,
    status: outcome.status,
    ok: outcome.ok,
    ms: outcome.ms,
    error: outcome.error,
    responseBody: outcome.responseBody,
  });
  if (!outcome.ok) return { error: outcome.error ?? "failed" };
  state.record({ ...step, id: item.id });
  return "delivered";
}

function filtered(item: PollItem, options: PassOptions): string | undefined {
  return options.wanted(item.type) ? undefined : "filtered by --types";
}

/**
 * Where a pass starts when there is no cursor: the window recorded by the first run (--since), or,
 * on the very first pass without --since, "from now" (undefined: bootstrap). A state that exists
 * without a cursor saw no events at its bootstrap (or has no cursor, like http without
 * --cursor-param), so everything it has not seen is new: "all".
 */
export function startingPoint(
  state: PollState,
  since: Date | "all" | undefined,
  firstPass: boolean,
): Date | "all" | undefined {
  if (state.data.cursor !== undefined) return undefined;
  const recorded = state.data.since;
  if (recorded !== undefined) return recorded === "all" ? "all" : new Date(recorded);
  return firstPass ? since : "all";
}
