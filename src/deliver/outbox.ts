import type { ListenEvent } from "../events/types.js";
import { formatDuration } from "../units.js";
import type { EntryRef, Failures, Journal, OutboxEntry } from "./journal.js";
import {
  deadLetter,
  findEntry,
  isSuccess,
  listEntries,
  type PendingEntry,
  record,
} from "./outbox-entries.js";
import { RefQueue } from "./ref-queue.js";
import type { Signer } from "./resign.js";
import type { Send } from "./sender.js";

export type { PendingEntry } from "./outbox-entries.js";

export type OutboxEvent = Extract<ListenEvent, { kind: "delivery" | "dead" | "warning" }>;

interface OutboxOptions {
  journal: Journal;
  /** Makes one attempt (signed afresh where it can be). */
  send: Send;
  /** Waits between attempts; the last one repeats. */
  schedule: number[];
  /** An entry that still fails this long after it arrived goes to `deadDir`. */
  giveUpAfterMs: number;
  deadDir: string;
  /** Says when an entry sent with its original signature goes stale. */
  signer: Pick<Signer, "staleAfter">;
  emit: (event: OutboxEvent) => void;
  /** What is pending already (a journal's scan hands over its queue as it is). */
  initial: RefQueue | EntryRef[];
  failures?: Map<number, Failures>;
  now?: () => Date;
}

/**
 * Delivers the outbox to the target strictly in arrival order, one at a time: a failure at the head
 * holds the line and is retried on the schedule (the last step repeats); a success at the head lets
 * everything behind it flow at once. An entry failing past --give-up-after goes to dead/ and the rest
 * flows. Only positions are held in memory; each attempt reads its entry back from the journal.
 */
export class Outbox {
  private readonly queue: RefQueue;
  private readonly failures: Map<number, Failures>;
  private readonly now: () => Date;
  private stopped = false;
  private wake: (() => void) | undefined;
  private running: Promise<void> | undefined;
  private attempt: Promise<unknown> | undefined;
  private warnedStale = 0;
  private readonly burying = new Set<number>();

  constructor(private readonly o: OutboxOptions) {
    this.queue = o.initial instanceof RefQueue ? o.initial : new RefQueue(o.initial);
    this.failures = o.failures ?? new Map();
    this.now = o.now ?? (() => new Date());
  }

  get pending(): number {
    return this.queue.size;
  }

  start(): void {
    this.running ??= this.loop();
  }

  /** A request that is already on disk. */
  enqueue(ref: EntryRef): void {
    this.queue.push(ref);
    // Wake the worker only when it was idle: behind a failing head, an arrival must not cut the
    // retry wait short (that would hammer a target that is down and run through the schedule).
    if (this.pending === 1) this.poke();
  }

  /** What is pending, in delivery order (read from the journal a chunk at a time). */
  list(limit = Number.POSITIVE_INFINITY): Promise<PendingEntry[]> {
    const refs = this.queue.slice(0, Math.min(limit, this.pending));
    return listEntries(refs, (ref) => this.o.journal.read(ref), this.failures, this.now());
  }

  /** Tries the head now instead of when the schedule says. False when nothing is pending. */
  retryNow(): boolean {
    if (this.pending === 0) return false;
    this.poke();
    return true;
  }

  /** One attempt at the head, now, by a process with no worker running (`hook outbox retry` alone). */
  async attemptHead(): Promise<boolean> {
    const ref = this.queue.at(0);
    if (!ref || this.running) return false;
    await this.deliverHead(ref);
    return true;
  }

  /**
   * Moves one pending entry (by sequence number or event id) to dead/, as a fixture `hook replay` can
   * send later. The head's attempt in flight finishes first; undefined when no such entry is pending.
   */
  async drop(seqOrEventId: string | number): Promise<{ seq: number; file: string } | undefined> {
    const found = findEntry(this.queue, seqOrEventId, (ref) => this.o.journal.read(ref));
    if (!found) return undefined;
    if (found.index === 0) await this.attempt;
    if (this.queue.indexOf(found.ref.seq) < 0) return undefined;
    return this.bury(found.ref, this.o.journal.read(found.ref), "dropped by the user");
  }

  private async bury(ref: EntryRef, entry: OutboxEntry, reason: string) {
    // The worker giving up and the user dropping the same entry at once: one fixture, not two.
    if (this.burying.has(ref.seq)) return undefined;
    this.burying.add(ref.seq);
    let file: string;
    try {
      file = await deadLetter(this.o.deadDir, entry);
    } finally {
      this.burying.delete(ref.seq);
    }
    // It may have moved while the fixture was written: find it again.
    const at = this.queue.indexOf(ref.seq);
    if (at < 0) return undefined;
    this.queue.removeAt(at);
    this.o.journal.deadLettered(ref.seq, file);
    this.failures.delete(ref.seq);
    // The head went: the next one need not wait out the schedule.
    if (at === 0) this.poke();
    this.o.emit({
      kind: "dead",
      seq: ref.seq,
      event: entry.event,
      eventId: entry.eventId,
      file,
      reason,
      pending: this.pending,
    });
    return { seq: ref.seq, file };
  }

  private poke(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  private sleep(ms?: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = ms === undefined ? undefined : setTimeout(() => this.poke(), ms);
      this.wake = () => {
        if (timer) clearTimeout(timer);
        resolve();
      };
    });
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      const ref = this.queue.at(0);
      if (!ref) {
        await this.sleep();
        continue;
      }
      const waitMs = await this.deliverHead(ref).catch((error: Error) => {
        // An entry that cannot be read back (a disk error) holds the line like a failing target.
        this.o.emit({ kind: "warning", message: `outbox #${ref.seq}: ${error.message}` });
        return this.delay(this.o.schedule.length);
      });
      if (waitMs !== undefined && !this.stopped) await this.sleep(waitMs);
    }
  }

  /** One attempt at the head; the wait before the next one when it failed. */
  private async deliverHead(ref: EntryRef): Promise<number | undefined> {
    const entry = this.o.journal.read(ref);
    const now = this.now();
    const sending = this.o.send(entry, now);
    this.attempt = sending;
    const result = await sending;
    this.attempt = undefined;
    // Stopping: what did not go through stays in the journal for the next start.
    const delivered = result.ok && isSuccess(result.status);
    if (this.queue.at(0)?.seq !== ref.seq || (this.stopped && !delivered)) return undefined;
    const failures = this.failures.get(ref.seq) ?? { attempts: 0, lastError: "" };
    failures.attempts += 1;
    if (delivered) {
      this.queue.shift();
      this.o.journal.delivered(ref.seq);
      this.failures.delete(ref.seq);
      this.o.emit({ kind: "delivery", record: record(entry, failures.attempts, result, this.pending) });
      return undefined;
    }
    failures.lastError = result.ok ? `target answered ${result.status}` : result.error;
    this.failures.set(ref.seq, failures);
    this.o.journal.failed(ref.seq, failures);
    const age = now.getTime() - Date.parse(entry.receivedAt);
    const retryInMs = age >= this.o.giveUpAfterMs ? undefined : this.delay(failures.attempts);
    this.o.emit({
      kind: "delivery",
      record: record(entry, failures.attempts, result, this.pending, retryInMs),
    });
    if (retryInMs === undefined) {
      const reason = `still failing after ${formatDuration(age)} (--give-up-after)`;
      const buried = await this.bury(ref, entry, reason).catch((error: Error) => {
        this.o.emit({
          kind: "warning",
          message: `outbox #${ref.seq} could not go to dead/: ${error.message}`,
        });
      });
      return buried ? undefined : this.delay(failures.attempts);
    }
    this.warnIfStale(entry, age);
    return retryInMs;
  }

  /** Sent with its original signature, the head is now older than the app accepts: say so once. */
  private warnIfStale(entry: OutboxEntry, ageMs: number): void {
    const window = this.o.signer.staleAfter(entry);
    if (!window || ageMs <= window.seconds * 1000 || this.warnedStale === entry.seq) return;
    this.warnedStale = entry.seq;
    this.o.emit({
      kind: "warning",
      message: `outbox #${entry.seq} waited ${formatDuration(ageMs)}, past ${window.provider}'s ${formatDuration(window.seconds * 1000)} window: an app that checks the signed timestamp will reject it. Give listen --provider ${window.provider} and its --secret so each attempt is signed afresh, or drop it (hook outbox drop ${entry.seq})`,
    });
  }

  private delay(attempt: number): number {
    return this.o.schedule[Math.min(attempt, this.o.schedule.length) - 1] ?? 1000;
  }

  /**
   * Stops after the delivery in flight, waiting at most `graceMs` for it. What was not delivered stays
   * in the journal for the next start.
   */
  async stop(graceMs: number): Promise<void> {
    this.stopped = true;
    this.poke();
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, graceMs);
    });
    await Promise.race([this.running, grace]);
    clearTimeout(timer);
  }
}
