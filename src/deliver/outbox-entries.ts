import type { DeliveryRecord } from "../events/types.js";
import { saveFixture } from "../store/fixture-writer.js";
import type { ForwardResult } from "./forward.js";
import type { EntryRef, Failures, OutboxEntry } from "./journal.js";
import type { RefQueue } from "./ref-queue.js";

/** One line of `hook outbox list` (and of the inspector's outbox table). */
export interface PendingEntry {
  seq: number;
  event?: string;
  eventId?: string;
  attempts: number;
  receivedAt: string;
  /** Time since it arrived, ms. */
  ageMs: number;
  lastError?: string;
}

/** The entries behind `refs`, read back from the journal; yields to the event loop every so often. */
export async function listEntries(
  refs: EntryRef[],
  read: (ref: EntryRef) => OutboxEntry,
  failures: Map<number, Failures>,
  now: Date,
): Promise<PendingEntry[]> {
  const out: PendingEntry[] = [];
  for (const [i, ref] of refs.entries()) {
    // A listener keeps receiving while a long list is read.
    if (i > 0 && i % 500 === 0) await new Promise((resolve) => setImmediate(resolve));
    out.push(pendingEntry(read(ref), failures.get(ref.seq), now));
  }
  return out;
}

export function pendingEntry(entry: OutboxEntry, failures: Failures | undefined, now: Date): PendingEntry {
  return {
    seq: entry.seq,
    event: entry.event,
    eventId: entry.eventId,
    attempts: failures?.attempts ?? 0,
    receivedAt: entry.receivedAt,
    ageMs: Math.max(0, now.getTime() - Date.parse(entry.receivedAt)),
    lastError: failures?.lastError,
  };
}

/** A pending entry by sequence number (all digits) or else by event id. */
export function findEntry(
  queue: RefQueue,
  seqOrEventId: string | number,
  read: (ref: EntryRef) => OutboxEntry,
): { ref: EntryRef; index: number } | undefined {
  const text = String(seqOrEventId);
  if (/^\d+$/.test(text)) {
    const index = queue.indexOf(Number(text));
    return index < 0 ? undefined : { ref: queue.at(index) as EntryRef, index };
  }
  for (let index = 0; index < queue.size; index += 1) {
    const ref = queue.at(index) as EntryRef;
    if (read(ref).eventId === text) return { ref, index };
  }
  return undefined;
}

/** Writes the entry into `dir` as a fixture `hook replay` can send later; returns its path. */
export function deadLetter(dir: string, entry: OutboxEntry): Promise<string> {
  return saveFixture(dir, {
    provider: entry.provider ?? "none",
    event: entry.event,
    id: entry.eventId,
    deliveryId: entry.deliveryId,
    method: entry.method,
    path: entry.path,
    headers: entry.headers,
    body: entry.body,
    receivedAt: new Date(entry.receivedAt),
  });
}

export function isSuccess(status: number): boolean {
  return status >= 200 && status < 300;
}

/** The delivery event of one attempt. */
export function record(
  entry: OutboxEntry,
  attempt: number,
  result: ForwardResult,
  pending: number,
  retryInMs?: number,
): DeliveryRecord {
  return {
    seq: entry.seq,
    attempt,
    ok: result.ok && isSuccess(result.status),
    status: result.ok ? result.status : undefined,
    error: result.ok ? undefined : result.error,
    latencyMs: result.latencyMs,
    retryInMs,
    pending,
    event: entry.event,
    eventId: entry.eventId,
  };
}
