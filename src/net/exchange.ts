import { type Dispatcher, errors } from "undici";
import { describeNetworkError, type NetContext, type NetFailure, timedOut, tooLarge } from "./errors.js";

/** Bounds every outgoing call has: nothing hook sends can hang it or fill its memory. */
export interface Limits {
  /** The whole exchange, from the first byte sent to the last byte read, connect included. */
  deadlineMs: number;
  /** Bytes of the answer read at most; past this the connection is cut. */
  maxBytes: number;
  /** Of what is read, keep only this much (default: all of it). The rest is read and dropped. */
  keepBytes?: number;
  /** Stops the call early (Ctrl-C): it then fails with kind "aborted". */
  signal?: AbortSignal;
}

export type Exchange =
  | {
      ok: true;
      status: number;
      /** As undici gives them: [name, value, name, value ...]; parse only where they are needed. */
      rawHeaders: Buffer[];
      body: Buffer;
      /** The body holds less than the target sent (keepBytes or maxBytes reached). */
      truncated: boolean;
      latencyMs: number;
    }
  | { ok: false; failure: NetFailure; latencyMs: number };

const EMPTY = Buffer.alloc(0);

/**
 * One request's dispatch handler, with its methods on the prototype rather than fresh closures per
 * request (the forward and replay paths run it thousands of times a second). A single timer bounds
 * the whole exchange: undici's headersTimeout/bodyTimeout only bound the gaps between chunks, so a
 * target that trickles a byte a second would never time out with them.
 */
export class ExchangeHandler {
  private status = 0;
  private rawHeaders: Buffer[] = [];
  private chunks: Buffer[] = [];
  private read = 0;
  private kept = 0;
  private truncated = false;
  private settled = false;
  private abortRequest: ((reason?: Error) => void) | undefined;
  private readonly timer: NodeJS.Timeout;
  private readonly onSignal: (() => void) | undefined;

  constructor(
    private readonly owner: { settled(): void },
    private readonly resolve: (exchange: Exchange) => void,
    private readonly limits: Limits,
    private readonly context: NetContext,
    private readonly started: number,
  ) {
    this.timer = setTimeout(expire, limits.deadlineMs, this);
    const signal = limits.signal;
    if (signal) {
      this.onSignal = () => this.fail({ kind: "aborted", message: "stopped" }, true);
      if (signal.aborted) queueMicrotask(this.onSignal);
      else signal.addEventListener("abort", this.onSignal, { once: true });
    }
  }

  onConnect(abort: (reason?: Error) => void): void {
    // Settled before the request got a connection (deadline, Ctrl-C): do not send it at all.
    if (this.settled) abort(new errors.RequestAbortedError());
    else this.abortRequest = abort;
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[]): boolean {
    // 1xx (100 Continue, 103 Early Hints) are interim: the answer is still to come.
    if (statusCode < 200) return true;
    this.status = statusCode;
    this.rawHeaders = rawHeaders;
    return true;
  }

  onData(chunk: Buffer): boolean {
    if (this.settled) return false;
    this.read += chunk.length;
    const keep = (this.limits.keepBytes ?? this.limits.maxBytes) - this.kept;
    if (keep > 0) {
      const part = chunk.length <= keep ? chunk : chunk.subarray(0, keep);
      this.chunks.push(part);
      this.kept += part.length;
    }
    if (this.kept < this.read) this.truncated = true;
    if (this.read > this.limits.maxBytes) {
      // The status and the start of the body are known; reading on would only fill memory.
      this.succeed();
      this.abortRequest?.(new errors.RequestAbortedError());
      return false;
    }
    return true;
  }

  onComplete(): void {
    this.succeed();
  }

  onError(error: Error): void {
    if (!this.settled) this.fail(describeNetworkError(error, this.context), false);
  }

  /** The deadline passed: answer now, and cut the request wherever it is. */
  expire(): void {
    if (this.settled) return;
    this.fail(timedOut(this.context), true);
  }

  private succeed(): void {
    if (this.settled) return;
    this.settle();
    const chunks = this.chunks;
    const body =
      chunks.length === 0 ? EMPTY : chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks);
    this.resolve({
      ok: true,
      status: this.status,
      rawHeaders: this.rawHeaders,
      body,
      truncated: this.truncated,
      latencyMs: performance.now() - this.started,
    });
  }

  /** `cut`: the request is still running and must be stopped (not so when undici reported the error). */
  private fail(failure: NetFailure, cut: boolean): void {
    if (this.settled) return;
    this.settle();
    if (cut) this.abortRequest?.(new errors.RequestAbortedError());
    this.resolve({ ok: false, failure, latencyMs: performance.now() - this.started });
  }

  private settle(): void {
    this.settled = true;
    this.owner.settled();
    clearTimeout(this.timer);
    if (this.onSignal) this.limits.signal?.removeEventListener("abort", this.onSignal);
  }
}

function expire(handler: ExchangeHandler): void {
  handler.expire();
}

/** An answer bigger than the cap, where a cut body is of no use (an API page that must parse). */
export function requireWhole(exchange: Exchange, origin: string, maxBytes: number): Exchange {
  if (!exchange.ok || !exchange.truncated) return exchange;
  return { ok: false, failure: tooLarge(origin, maxBytes), latencyMs: exchange.latencyMs };
}

export type DispatchHandler = Parameters<Dispatcher["dispatch"]>[1];
