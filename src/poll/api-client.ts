import { util } from "undici";
import { Exit, HookError } from "../errors.js";
import type { HttpClient } from "../net/client.js";
import type { NetFailure } from "../net/errors.js";
import { requireWhole } from "../net/exchange.js";
import { formatDuration } from "../units.js";
import type { PollEvent } from "./poll-event.js";

export interface ApiOptions {
  /** "Stripe API": named in every error. */
  name: string;
  /** Where the key comes from, for the 401 message: "--api-key or STRIPE_API_KEY". */
  keySource: string;
  headers: Record<string, string>;
  /** Every call goes through it: proxies, and errors in words. */
  http: HttpClient;
  /** --timeout: a deadline for each call as a whole, not the idle time between chunks. */
  timeoutMs: number;
  /** --once: a rate-limit wait longer than this ends the run instead. */
  maxWaitMs: number;
  maxAttempts: number;
  now: () => Date;
  sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  signal: AbortSignal;
  emit: (event: PollEvent) => void;
}

interface ApiRequest {
  url: string;
  method?: "GET" | "POST";
  headers?: Record<string, string>;
  body?: string;
}

export interface ApiResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

/** An answer the API gave that waiting cannot fix (404, 400 …): the status is kept for the source. */
export class ApiError extends HookError {
  constructor(
    message: string,
    readonly status: number,
    hint?: string,
  ) {
    super(message, { hint });
    this.name = "ApiError";
  }
}

/** A call that got no usable answer (refused, timed out, too large ...): retried with backoff. */
class NetworkError extends Error {
  constructor(readonly failure: NetFailure) {
    super(failure.message);
  }
}

/**
 * The largest API answer read: a page of 100 Stripe events with big objects is a few MB. Past this
 * the call fails (a cut page cannot be parsed) and is retried like a network error.
 */
const API_ANSWER_MAX = 32 * 1024 * 1024;

/** The run was stopped (Ctrl-C) while waiting on the API: nothing to report, nothing lost. */
export class Interrupted extends Error {}

/**
 * Calls a provider's API the way a polite client does: rate limits waited out (Retry-After,
 * x-ratelimit-reset), 5xx and network errors retried with exponential backoff, a bad key stopped at
 * once with a message that names the key. It never touches the cursor: that is the pass's job.
 */
export class ApiClient {
  constructor(readonly options: ApiOptions) {}

  /** Sends, retries, and returns a 2xx/304 answer parsed by `parse`; `count` says how many items it carried. */
  async call<T>(
    req: ApiRequest,
    parse: (res: ApiResponse) => T,
    count: (value: T) => number | undefined,
  ): Promise<{ res: ApiResponse; value: T }> {
    const { maxAttempts, signal } = this.options;
    let failures = 0;
    for (;;) {
      // Ctrl-C before or during the call: the exchange ends at once and nothing is reported.
      const started = performance.now();
      const res = await this.send(req).catch((error: unknown) => error as Error);
      const ms = Math.round(performance.now() - started);
      if (signal.aborted) throw new Interrupted();
      if (!(res instanceof Error) && (res.status < 300 || res.status === 304)) {
        const value = parse(res);
        this.emit({
          kind: "poll",
          method: req.method ?? "GET",
          url: req.url,
          status: res.status,
          ms,
          count: count(value),
        });
        return { res, value };
      }
      this.emit({
        kind: "poll",
        method: req.method ?? "GET",
        url: req.url,
        status: res instanceof Error ? 0 : res.status,
        ms,
      });
      failures += 1;
      const wait = this.waitFor(res, failures);
      if (failures >= maxAttempts) throw this.gaveUp(res, failures);
      await this.pause(wait.ms, wait.reason);
    }
  }

  private async send(req: ApiRequest): Promise<ApiResponse> {
    const url = new URL(req.url);
    const answer = requireWhole(
      await this.options.http.send(
        {
          origin: url.origin,
          path: `${url.pathname}${url.search}`,
          method: req.method ?? "GET",
          headers: { ...this.options.headers, ...req.headers },
          body: req.body,
          peer: "api",
        },
        { deadlineMs: this.options.timeoutMs, maxBytes: API_ANSWER_MAX, signal: this.options.signal },
      ),
      url.origin,
      API_ANSWER_MAX,
    );
    if (!answer.ok) throw new NetworkError(answer.failure);
    const headers: Record<string, string> = {};
    const parsed = util.parseHeaders(answer.rawHeaders) as Record<string, string | string[]>;
    for (const [key, value] of Object.entries(parsed)) {
      headers[key] = Array.isArray(value) ? value.join(", ") : value;
    }
    return { status: answer.status, headers, body: answer.body };
  }

  /** How long to wait before the next attempt, or a thrown error when waiting cannot help. */
  private waitFor(res: ApiResponse | Error, failures: number): { ms: number; reason: string } {
    if (res instanceof Error) return { ms: backoff(failures), reason: `network error: ${res.message}` };
    const limited = rateLimitWait(res, this.options.now());
    if (limited !== undefined) {
      if (limited > this.options.maxWaitMs) throw this.rateLimited(limited);
      return { ms: limited, reason: `rate limited (${res.status})` };
    }
    if (res.status === 401 || res.status === 403) throw this.badKey(res);
    if (res.status >= 500)
      return { ms: backoff(failures), reason: `${this.options.name} answered ${res.status}` };
    const hint = res.status === 404 ? "check the --api-base, --repo/--org/--user or --url value" : undefined;
    throw new ApiError(`${this.options.name}: ${res.status} ${apiMessage(res)}`, res.status, hint);
  }

  private async pause(ms: number, reason: string): Promise<void> {
    this.emit({ kind: "wait", ms, reason });
    try {
      await this.options.sleep(ms, this.options.signal);
    } catch {
      throw new Interrupted();
    }
  }

  private badKey(res: ApiResponse): HookError {
    return new HookError(`${this.options.name}: ${res.status} ${apiMessage(res)}`, {
      exitCode: Exit.usage,
      hint: `the API key was refused: check ${this.options.keySource}`,
    });
  }

  private rateLimited(ms: number): HookError {
    const at = new Date(this.options.now().getTime() + ms);
    return new HookError(`${this.options.name}: rate limited for ${formatDuration(ms)}`, {
      hint: `nothing was lost; run again after ${at.toISOString()}`,
    });
  }

  private gaveUp(res: ApiResponse | Error, attempts: number): HookError {
    const why = res instanceof Error ? res.message : `${res.status} ${apiMessage(res)}`;
    const netHint = res instanceof NetworkError ? res.failure.hint : undefined;
    const keep = "nothing was lost; the next run starts from the same cursor";
    return new HookError(`${this.options.name}: ${why} (gave up after ${attempts} attempts)`, {
      hint: netHint ? `${netHint}; ${keep}` : keep,
    });
  }

  private emit(event: PollEvent): void {
    this.options.emit(event);
  }
}

/** 1s, 2s, 4s … capped at 30s. */
function backoff(failures: number): number {
  return Math.min(30_000, 1000 * 2 ** (failures - 1));
}

/**
 * A rate-limit answer's wait in ms, or undefined if this is not one. 429 always is; 403 is one only
 * with Retry-After or x-ratelimit-remaining: 0 (GitHub), otherwise it is a refused key.
 */
function rateLimitWait(res: ApiResponse, now: Date): number | undefined {
  const retryAfter = parseRetryAfter(res.headers["retry-after"], now);
  const exhausted = res.headers["x-ratelimit-remaining"] === "0";
  const reset = Number(res.headers["x-ratelimit-reset"]);
  const untilReset =
    exhausted && Number.isFinite(reset) ? Math.max(0, reset * 1000 - now.getTime()) : undefined;
  if (res.status === 429 || (res.status === 403 && (retryAfter !== undefined || exhausted))) {
    // GitHub: without either header, wait at least a minute.
    return retryAfter ?? untilReset ?? 60_000;
  }
  return undefined;
}

/** Retry-After is either delay-seconds or an HTTP date (RFC 9110 10.2.3). */
function parseRetryAfter(value: string | undefined, now: Date): number | undefined {
  // Stryker disable next-line ConditionalExpression: Date.parse(undefined) is NaN as well; the guard is for the types
  if (value === undefined) return undefined;
  if (/^\s*\d+\s*$/.test(value)) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now.getTime());
}

/** The API's own words about an error, short: Stripe {error:{message}}, GitHub {message}. */
function apiMessage(res: ApiResponse): string {
  const text = res.body.toString("utf8");
  try {
    const parsed = JSON.parse(text) as { error?: { message?: string } | string; message?: string };
    const message =
      typeof parsed.error === "object" ? parsed.error.message : (parsed.error ?? parsed.message);
    if (message) return String(message).slice(0, 300);
  } catch {
    // Not JSON: the start of the text says enough.
  }
  return text.slice(0, 200).trim();
}
