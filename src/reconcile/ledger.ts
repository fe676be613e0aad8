import type { PollState } from "../poll/state.js";

/**
 * Which events the app already has, whichever path brought them: the webhook or reconciliation.
 * It is the reconcile source's own delivered-set (poll's state file and journal), so one record
 * serves the pass's "already delivered" check, the late webhook's duplicate check, and survives a
 * kill -9 the way poll's does. An event on its way to the app counts as taken until its answer.
 */
export class Ledger {
  private readonly inFlight = new Map<string, Promise<boolean>>();
  private readonly settle = new Map<string, (delivered: boolean) => void>();

  constructor(private readonly state: PollState) {}

  /**
   * Before an event goes to the app: false when the app has it already. When another copy is on
   * its way, this waits for that one's answer (bounded by --timeout): a failed copy must not make
   * the other one count as a duplicate.
   */
  async take(key: string | undefined): Promise<boolean> {
    if (key === undefined) return true;
    for (let pending = this.inFlight.get(key); pending; pending = this.inFlight.get(key)) await pending;
    if (this.state.seen(key)) return false;
    this.inFlight.set(key, new Promise((resolve) => this.settle.set(key, resolve)));
    return true;
  }

  /** After: whether the app took it (a 2xx, or on disk in the durable outbox). */
  done(key: string | undefined, delivered: boolean): void {
    if (key === undefined) return;
    if (delivered) this.state.record({ id: key });
    const resolve = this.settle.get(key);
    this.inFlight.delete(key);
    this.settle.delete(key);
    resolve?.(delivered);
  }
}
