import { randomUUID } from "node:crypto";
import { headersFromPairs } from "../net/headers.js";
import type { Provider } from "../providers/types.js";
import { redactUrl } from "../redact.js";
import type { LoadedFixture } from "../store/fixture-reader.js";
import { buildRequest } from "./build.js";
import type { Expectation } from "./expect.js";
import type { Sender } from "./send.js";

/** One fixture and how to sign it. The body has already had --set applied. */
export interface ReplayJob {
  fixture: LoadedFixture;
  provider: Provider;
  alsoDrop: readonly string[];
  secret: string | undefined;
  /**
   * Set when this provider's delivery id is also its event id (Standard Webhooks' webhook-id,
   * Twitch's message id): kept on every send, so --repeat is a true duplicate.
   */
  deliveryId?: string;
  /** The event id as sent (after --set, as the provider's describe() reads it), found on the first send. */
  eventId?: string;
}

export interface ReplayPlan {
  jobs: ReplayJob[];
  to: URL;
  repeat: number;
  concurrency: number;
  timeoutMs: number;
  extraHeaders: Headers;
  expect: Expectation;
}

export interface ReplayResult {
  /** 1-based position in send order (fixture order, each fixture's repeats together). */
  index: number;
  file: string;
  provider: string;
  event?: string;
  eventId?: string;
  deliveryId: string;
  /** 1..repeat */
  attempt: number;
  method: string;
  url: string;
  status?: number;
  latencyMs: number;
  pass: boolean;
  expected: string;
  error?: string;
  /** The start of the answer as text, for --json and reports. */
  answerStart?: string;
  /** The answer's first bytes (up to 64 KiB), for showing the first line of a non-2xx answer. */
  responseBody?: Uint8Array;
}

export interface ReplaySummary {
  total: number;
  passed: number;
  /** Answered, with a status --expect did not allow. */
  failed: number;
  /** No HTTP answer at all: refused, reset, timed out. */
  errors: number;
  /** Not sent because the run was interrupted. */
  notSent: number;
  durationMs: number;
  perSecond: number;
}

interface ReplayDeps {
  sender: Sender;
  now: () => Date;
  clock: () => number;
  onResult?: (result: ReplayResult, done: number, total: number) => void;
  /** Resolves when the user asks to stop: nothing new is sent, in-flight requests finish. */
  stop?: Promise<void>;
}

/** What every send of one run shares: the --header pairs, and each distinct URL as shown (redacted). */
interface RunShared {
  extraHeaders: readonly (readonly [string, string])[];
  shownUrls: Map<string, string>;
}

/** Builds, signs (for this moment) and sends the request at `position`, and judges the answer. */
function sendJob(
  plan: ReplayPlan,
  deps: ReplayDeps,
  position: number,
  shared: RunShared,
): Promise<ReplayResult> {
  const job = plan.jobs[Math.floor(position / plan.repeat)] as ReplayJob;
  const deliveryId = job.deliveryId ?? randomUUID();
  const req = buildRequest({
    fixture: job.fixture,
    provider: job.provider,
    alsoDrop: job.alsoDrop,
    secret: job.secret,
    to: plan.to,
    extraHeaders: shared.extraHeaders,
    now: deps.now(),
    deliveryId,
  });
  // One promise per request, not one per layer: the judging is a continuation, not another async frame.
  return deps.sender.send(req, plan.timeoutMs).then((answer) => ({
    index: position + 1,
    file: job.fixture.file,
    provider: job.provider.name,
    event: job.fixture.event,
    eventId: sentEventId(job, req),
    deliveryId,
    attempt: (position % plan.repeat) + 1,
    method: req.method,
    url: shownUrl(req.url, shared.shownUrls),
    status: answer.status,
    latencyMs: Math.round(answer.latencyMs * 10) / 10,
    pass: answer.status !== undefined && plan.expect.matches(answer.status),
    expected: plan.expect.text,
    error: answer.error,
    answerStart: answerStart(answer.responseBody),
    responseBody: answer.responseBody,
  }));
}

/**
 * A run has a handful of distinct URLs (buildRequest caches them): each is redacted once, not once per
 * request (the redaction's patterns scan the whole URL). The run's secrets are all known before it starts.
 */
function shownUrl(url: string, shown: Map<string, string>): string {
  let redacted = shown.get(url);
  if (redacted === undefined) {
    redacted = redactUrl(url);
    if (shown.size >= 1000) shown.clear();
    shown.set(url, redacted);
  }
  return redacted;
}

/**
 * The id the app sees, not the one the fixture file declares: --set, trigger's fresh id and --id all
 * change it. The same for every send of a job (a delivery id that is also the event id is kept per job).
 */
function sentEventId(job: ReplayJob, req: { body: Uint8Array; headers: Record<string, string> }) {
  // The light view of the headers, as the receiver gives providers: a real Headers validates and sorts
  // every header, once a fixture, which was a twentieth of a 10,000-fixture run's sending phase.
  if (!("eventId" in job)) {
    job.eventId = job.provider.describe(req.body, headersFromPairs(Object.entries(req.headers))).id;
  }
  return job.eventId;
}

/** Sends every job `repeat` times, `concurrency` at a time; each request is signed just before it goes. */
export async function runReplay(
  plan: ReplayPlan,
  deps: ReplayDeps,
): Promise<{ results: ReplayResult[]; summary: ReplaySummary }> {
  const total = plan.jobs.length * plan.repeat;
  const results: ReplayResult[] = new Array(total);
  const started = deps.clock();
  // The same entries Headers.forEach gives (lower-case names), taken once rather than per request.
  const shared: RunShared = { extraHeaders: [...plan.extraHeaders], shownUrls: new Map() };
  let next = 0;
  let done = 0;
  let stopped = false;
  void deps.stop?.then(() => {
    stopped = true;
  });
  const worker = async (): Promise<void> => {
    while (!stopped && next < total) {
      const position = next++;
      const result = await sendJob(plan, deps, position, shared);
      results[position] = result;
      done++;
      deps.onResult?.(result, done, total);
    }
  };
  const workers = Array.from({ length: Math.min(plan.concurrency, Math.max(total, 1)) }, worker);
  await Promise.all(workers);
  const sent = results.filter(Boolean);
  const summary = summarise(sent, total, deps.clock() - started);
  return { results: sent, summary };
}

function summarise(sent: ReplayResult[], total: number, durationMs: number): ReplaySummary {
  return {
    total,
    passed: sent.filter((r) => r.pass).length,
    failed: sent.filter((r) => !r.pass && r.status !== undefined).length,
    errors: sent.filter((r) => r.status === undefined).length,
    notSent: total - sent.length,
    durationMs: Math.round(durationMs),
    perSecond: durationMs > 0 ? Math.round((sent.length / durationMs) * 1000 * 10) / 10 : 0,
  };
}

const ANSWER_START = 512;

function answerStart(body: Uint8Array | undefined): string | undefined {
  if (body === undefined) return undefined;
  return Buffer.from(body.buffer, body.byteOffset, Math.min(body.length, ANSWER_START * 4))
    .toString("utf8")
    .slice(0, ANSWER_START);
}
