import { Worker } from "node:worker_threads";
import type { ProviderOptions } from "../providers/types.js";
import type { Forwarder, ForwardResult } from "./forward.js";
import type { OutboxEntry } from "./journal.js";
import type { Signer } from "./resign.js";

/** One delivery attempt of an outbox entry: signed (afresh where it can be) and sent. */
export type Send = (entry: OutboxEntry, now: Date) => Promise<ForwardResult>;

/** Sends from this thread (`hook outbox retry`, tests). */
export function localSend(forwarder: Forwarder, signer: Signer): Send {
  return (entry, now) => forwarder.send(signer.request(entry, now));
}

/** What the delivery thread needs to build its own forwarder and signer. */
export interface SendThreadInit {
  target: string;
  timeoutMs: number;
  provider?: string;
  providerOptions: ProviderOptions;
  secret?: string;
  /** --forward-secret: `secret` is the app's, so every verified entry is signed with it. */
  resignAll?: boolean;
  /** The proxy variables, as the live forwarder has them. */
  env: Record<string, string | undefined>;
}

/**
 * Sends from a thread of its own. The worker delivers one entry at a time (arrival order), so each
 * delivery is a full round of request, wake-up and answer that cannot be batched with others; on the
 * listener's thread that cost as much as the request that queued it. Here it runs on another core,
 * while the journal, its fsyncs and every decision (retry, give up, drop) stay on the main thread.
 */
export class ThreadSender {
  private readonly worker: Worker;
  private readonly waiting = new Map<number, (result: ForwardResult) => void>();
  private next = 0;
  private broken: string | undefined;

  constructor(init: SendThreadInit) {
    this.worker = new Worker(new URL("./send-thread.js", import.meta.url), { workerData: init });
    this.worker.on("message", (message: { id: number; result: ForwardResult }) => {
      this.waiting.get(message.id)?.(message.result);
      this.waiting.delete(message.id);
    });
    const fail = (why: string) => {
      // A thread that fails also exits: the first reason is the one worth telling.
      this.broken ??= why;
      for (const resolve of this.waiting.values()) resolve(failure(why));
      this.waiting.clear();
    };
    this.worker.on("error", (error) => fail(`the delivery thread failed: ${error.message}`));
    this.worker.on("exit", () => fail("the delivery thread stopped"));
  }

  readonly send: Send = (entry, now) => {
    if (this.broken) return Promise.resolve(failure(this.broken));
    const id = ++this.next;
    return new Promise((resolve) => {
      this.waiting.set(id, resolve);
      this.worker.postMessage({ id, entry, now: now.getTime() });
    });
  };

  /** Lets the delivery in flight finish for up to `graceMs`, then stops the thread. Idempotent. */
  async close(graceMs = 1_000): Promise<void> {
    if (this.broken) return;
    const exited = new Promise<void>((resolve) => this.worker.once("exit", () => resolve()));
    this.worker.postMessage({ close: graceMs });
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, graceMs + 500);
    });
    await Promise.race([exited, late]);
    clearTimeout(timer);
    if (!this.broken) await this.worker.terminate();
  }
}

function failure(error: string): ForwardResult {
  return { ok: false, kind: "unreachable", error, why: "error", latencyMs: 0 };
}
