import type { DeliveryRecord, RequestRecord } from "../events/types.js";

/** One request as the inspector keeps it: the record, the durable attempts made for it, its run. */
export interface Entry {
  record: RequestRecord;
  /** Received by an earlier run of `hook listen` (read back from disk). */
  earlier: boolean;
  deliveries: DeliveryRecord[];
  /** What it holds in memory, roughly: bodies and headers. */
  bytes: number;
}

export interface HistoryLimits {
  /** Requests kept (the newest). */
  count: number;
  /** Bytes of bodies (request and answer) kept. */
  bytes: number;
}

export const DEFAULT_LIMITS: HistoryLimits = { count: 1_000, bytes: 100 * 1024 * 1024 };

/** Attempts kept per request: a queue that retries for days must not grow one record for ever. */
const ATTEMPTS_KEPT = 50;

/** A fixed cost per record for its object and header strings, so thousands of empty bodies count too. */
const RECORD_OVERHEAD = 512;

/**
 * The last requests, bounded in count and bytes: the oldest fall off, so memory stays flat in a
 * day-long session. Newest last inside; the API pages it newest first.
 */
export class History {
  private readonly entries: Entry[] = [];
  private readonly byNumber = new Map<number, Entry>();
  /** Outbox sequence number -> entry, for the durable delivery attempts. */
  private readonly bySeq = new Map<number, Entry>();
  private total = 0;

  constructor(readonly limits: HistoryLimits = DEFAULT_LIMITS) {}

  get size(): number {
    return this.entries.length;
  }

  get bytes(): number {
    return this.total;
  }

  /** The highest record number held, 0 when empty. */
  get lastNumber(): number {
    return this.entries.at(-1)?.record.n ?? 0;
  }

  add(record: RequestRecord, earlier = false, deliveries: DeliveryRecord[] = []): Entry {
    record.body = own(record.body);
    const bytes = RECORD_OVERHEAD + record.body.length + (record.response?.body.length ?? 0);
    const entry: Entry = { record, earlier, deliveries, bytes };
    this.entries.push(entry);
    this.byNumber.set(record.n, entry);
    if (record.seq !== undefined) this.bySeq.set(record.seq, entry);
    this.total += bytes;
    this.trim();
    return entry;
  }

  /** Files a durable delivery attempt under the request it delivers; undefined when that fell off. */
  attach(delivery: DeliveryRecord): Entry | undefined {
    const entry = this.bySeq.get(delivery.seq);
    if (!entry) return undefined;
    entry.deliveries.push(delivery);
    if (entry.deliveries.length > ATTEMPTS_KEPT) entry.deliveries.splice(0, 1);
    return entry;
  }

  get(n: number): Entry | undefined {
    return this.byNumber.get(n);
  }

  /** Up to `limit` entries older than record `before` (or the newest), newest first. */
  page(limit: number, before?: number): Entry[] {
    let end = this.entries.length;
    if (before !== undefined) end = this.indexAfter(before - 1);
    const start = Math.max(0, end - limit);
    return this.entries.slice(start, end).reverse();
  }

  /** Entries numbered above `n`, oldest first: what a reconnecting page missed. */
  after(n: number): Entry[] {
    return this.entries.slice(this.indexAfter(n));
  }

  /** The index of the first entry numbered above `n` (numbers only grow, so a binary search). */
  private indexAfter(n: number): number {
    let low = 0;
    let high = this.entries.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if ((this.entries[mid] as Entry).record.n <= n) low = mid + 1;
      else high = mid;
    }
    return low;
  }

  private trim(): void {
    while (
      this.entries.length > 1 &&
      (this.entries.length > this.limits.count || this.total > this.limits.bytes)
    ) {
      // shift(), not slice(): V8 trims the front of an array in place, one entry per request at the limit.
      const old = this.entries.shift() as Entry;
      this.total -= old.bytes;
      this.byNumber.delete(old.record.n);
      if (old.record.seq !== undefined && this.bySeq.get(old.record.seq) === old) {
        this.bySeq.delete(old.record.seq);
      }
    }
  }
}

/**
 * A body that is a small view of a much larger buffer (a socket read holding several requests)
 * would keep all of it alive for as long as the history holds the record: copy it out then.
 */
function own(body: Uint8Array): Uint8Array {
  if (body.buffer.byteLength <= body.length + 4096) return body;
  // Not Buffer.from: a small copy would land in Node's shared 8 KB pool, the same problem again.
  const copy = Buffer.allocUnsafeSlow(body.length);
  copy.set(body);
  return copy;
}
