/**
 * The typed events of `hook listen`. The pipeline (receive, deliver, tunnel) only emits these; the
 * terminal renderer is one subscriber, and a future local inspector page is meant to be another one,
 * fed by exactly the same objects. Records keep the body bytes for that reason.
 */

import type { ReconcileEvent } from "../reconcile/loop.js";

/** What became of a request, from the sender's point of view. */
export type Outcome =
  | "forwarded" // proxied to --forward-to, the target's answer went back
  | "accepted" // no target: answered 200 {"ok":true}
  | "queued" // --durable: on disk, answered 202, the worker delivers it
  | "filtered" // --events did not match: answered 200, not forwarded
  | "rejected" // signature did not verify: answered 401
  | "handshake" // the provider's subscription handshake, answered by hook
  | "unreachable" // target down: answered 502
  | "timeout" // target too slow: answered 504
  | "too-large" // body over --max-body: answered 413
  | "failed" // hook itself could not handle it (disk full ...): answered 500
  | "already-delivered"; // --reconcile: the app has this event already: answered 200, not sent again

export interface RequestRecord {
  /** Arrival number, from 1 (or from where the inspector's history of earlier runs left off). */
  n: number;
  receivedAt: Date;
  method: string;
  /** Path and query as sent. */
  path: string;
  /** Headers as received (secrets included: renderers must redact before showing them). */
  headers: [string, string][];
  body: Uint8Array;
  provider: string;
  event?: string;
  eventId?: string;
  deliveryId?: string;
  /** Undefined when no --provider was given. */
  verification?: { ok: true } | { ok: false; reason: string; hint?: string };
  outcome: Outcome;
  /** Status hook answered the sender with. */
  status: number;
  /** The target's status, when forwarded. */
  targetStatus?: number;
  /** Why forwarding or handling failed. */
  error?: string;
  /** Time from the last body byte to the answer, ms. */
  latencyMs: number;
  /** Event id or delivery id seen before in this data dir. */
  duplicate: boolean;
  /** --reconcile found it in the provider's API: no webhook brought it. */
  reconciled?: boolean;
  /** Durable outbox sequence number. */
  seq?: number;
  /** Fixture file written by --save. */
  savedAs?: string;
  /** The target's answer, when forwarded: the inspector shows it, the terminal its first line for a non-2xx. */
  response?: TargetAnswer;
  /** The record this one replays (sent from the inspector). */
  replayOf?: number;
}

/** What the target answered, kept for the inspector. */
export interface TargetAnswer {
  status: number;
  headers: [string, string][];
  body: Uint8Array;
  /** The body was longer than ANSWER_KEEP_BYTES: only its start is kept. */
  truncated: boolean;
}

/** How much of the target's answer body a record keeps: enough to read, bounded for memory. */
export const ANSWER_KEEP_BYTES = 1024 * 1024;

export interface DeliveryRecord {
  seq: number;
  attempt: number;
  ok: boolean;
  status?: number;
  error?: string;
  latencyMs: number;
  /** When it failed: the wait before the next attempt, ms. */
  retryInMs?: number;
  /** Deliveries still waiting after this one. */
  pending: number;
  event?: string;
  eventId?: string;
}

type TunnelState =
  | "installing"
  | "starting"
  | "up"
  // Connected to the edge and the hostname resolves: safe to hand to a provider (only when asked for).
  | "reachable"
  | "unreachable"
  | "failed"
  | "down"
  | "restarting"
  | "stopped";

export interface TunnelRecord {
  state: TunnelState;
  url?: string;
  /** Quick tunnels get a new URL each run; a named tunnel keeps its hostname. */
  quick?: boolean;
  reason?: string;
  hint?: string;
  /** The last lines cloudflared printed, for failures. */
  tail?: string[];
  /** When restarting: the wait before the next try, ms. */
  retryInMs?: number;
}

type RegisterState = "registering" | "registered" | "updated" | "removed" | "restored" | "kept" | "failed";

/** What `--register` did with the provider's API. Never carries a secret. */
export interface RegisterRecord {
  state: RegisterState;
  provider: string;
  id?: string;
  url?: string;
  reason?: string;
  hint?: string;
  /** About a registration a killed earlier run left behind. */
  leftover?: boolean;
  /** Extra words for a person: "already gone", "restored without its secret_token". */
  note?: string;
}

export type ListenEvent =
  | {
      kind: "ready";
      /** Where this machine reaches the receiver (loopback for a wildcard bind). */
      localUrl: string;
      /** The address bound, as given by --host: 0.0.0.0 or :: is every interface. */
      host: string;
      port: number;
      /** --provider: whose signatures are verified. */
      provider?: string;
      /** --save: the folder fixtures go to. */
      saveDir?: string;
      forwardTo?: string;
      /** --forward-secret: what is forwarded is signed again with the app's secret. */
      resigned?: true;
      durable: boolean;
      pending: number;
      dataDir: string;
      /** The inspector page, unless --no-inspect. */
      inspectUrl?: string;
      /** Why the inspector is not on the port asked for (the default was taken). */
      inspectNote?: string;
    }
  | { kind: "request"; record: RequestRecord }
  | { kind: "delivery"; record: DeliveryRecord }
  | {
      /** An outbox entry moved to dead/ (given up, or dropped by the user): a fixture `hook replay` sends. */
      kind: "dead";
      seq: number;
      event?: string;
      eventId?: string;
      file: string;
      reason: string;
      pending: number;
    }
  | { kind: "tunnel"; record: TunnelRecord }
  | { kind: "register"; record: RegisterRecord }
  | { kind: "reconcile"; event: ReconcileEvent }
  | { kind: "warning"; message: string }
  | { kind: "stopping"; inFlight: number; pending: number };

type Listener = (event: ListenEvent) => void;

/** A tiny synchronous bus: subscribers must not throw, and one that does is not allowed to stop the others. */
export class EventBus {
  private readonly listeners: Listener[] = [];

  on(listener: Listener): () => void {
    this.listeners.push(listener);
    return () => {
      const i = this.listeners.indexOf(listener);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  emit(event: ListenEvent): void {
    // A snapshot: a listener that unsubscribes (or subscribes) while the event is delivered must not make
    // the next listener miss it.
    for (const listener of [...this.listeners]) {
      try {
        listener(event);
      } catch {
        // A broken subscriber (a closed stdout pipe) must not break receiving webhooks.
      }
    }
  }
}
