import type { PollState } from "../poll/state.js";
import { Ledger } from "./ledger.js";
import { type MatchKey, matchKeyFor } from "./match-key.js";

/** What the receiving pipeline knows of a request when it asks the gate. */
interface GateInput {
  eventId?: string;
  headers: Headers;
  body: Uint8Array;
  /** Brought by reconciliation, not by the provider. */
  reconciled: boolean;
}

interface Admission {
  /** False: the app has this event already; answer 2xx and do not send it again. */
  go: boolean;
  key?: string;
}

/**
 * `listen --reconcile`: every request that would reach the app passes here, so each event reaches it
 * once whichever path brings it first. `forwardDuplicates` (--forward-duplicates) lets a webhook
 * through even when the app has its event, for testing the app's idempotency; a reconciled event
 * never goes twice, since no provider sent it.
 */
export class ReceiveGate {
  private readonly ledger: Ledger;
  private readonly key: MatchKey;

  constructor(
    state: PollState,
    provider: string,
    private readonly forwardDuplicates: boolean,
  ) {
    this.ledger = new Ledger(state);
    this.key = matchKeyFor(provider);
  }

  async admit(input: GateInput): Promise<Admission> {
    const key = this.key(input);
    const fresh = await this.ledger.take(key);
    if (fresh) return { go: true, key };
    return { go: this.forwardDuplicates && !input.reconciled };
  }

  /** The app's answer: a 2xx (or on disk in the outbox) marks the event as delivered. */
  done(admission: Admission, delivered: boolean): void {
    this.ledger.done(admission.key, delivered);
  }
}
