import type { DeliveryRecord } from "../events/types.js";
import type { Forwarder, ForwardResult } from "./forward.js";
import type { Journal, OutboxEntry } from "./journal.js";

/**
 * Delivers the outbox to the target strictly in arrival order, one at a time: a failure at the head
 * holds the line and is retried on the schedule (the last step repeats for ever); a success at the head
 * lets everything behind it flow at once.
 */
export class Outbox {
  private readonly queue: OutboxEntry[];
  private attempt = 0;
  private stopped = false;
  private wake: (() => void) | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly journal: Journal,
    private readonly forwarder: Forwarder,
    private readonly schedule: number[],
    private readonly emit: (record: DeliveryRecord) => void,
    initial: OutboxEntry[],
  ) {
    this.queue = [...initial];
  }

  get pending(): number {
    return this.queue.length;
  }

  start(): void {
    this.running ??= this.loop();
  }

  /** A request that is already on disk. */
  enqueue(entry: OutboxEntry): void {
    this.queue.push(entry);
    // Wake the worker only when it was idle: behind a failing head, an arrival must not cut the
    // retry wait short (that would hammer a target that is down and run through the schedule).
    if (this.queue.length === 1) this.poke();
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
      const head = this.queue[0];
      if (!head) {
        await this.sleep();
        continue;
      }
      this.attempt += 1;
      const result = await this.forwarder.send(head);
      if (this.stopped && !(result.ok && isSuccess(result.status))) return;
      const delivered = result.ok && isSuccess(result.status);
      if (delivered) {
        this.queue.shift();
        this.journal.delivered(head.seq);
      }
      const retryInMs = delivered ? undefined : this.delay(this.attempt);
      this.emit(record(head, this.attempt, result, this.queue.length, retryInMs));
      if (delivered) this.attempt = 0;
      else await this.sleep(retryInMs);
    }
  }

  private delay(attempt: number): number {
    return this.schedule[Math.min(attempt, this.schedule.length) - 1] ?? 1000;
  }

  /**
   * Stops after the delivery in flight, waiting at most `graceMs` for it. What was not delivered stays
   * in the journal for the next start.
   */
  async stop(graceMs: number): Promise<void> {
    this.stopped = true;
    this.poke();
    if (!this.running) return;
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, graceMs);
    });
    await Promise.race([this.running, grace]);
    clearTimeout(timer);
  }
}

function isSuccess(status: number): boolean {
  return status >= 200 && status < 300;
}

function record(
  entry: OutboxEntry,
  attempt: number,
  result: ForwardResult,
  pending: number,
  retryInMs: number | undefined,
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
