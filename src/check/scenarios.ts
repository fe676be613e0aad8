import { randomUUID } from "node:crypto";
import type { Provider } from "../providers/types.js";
import { buildRequest, type OutgoingRequest } from "../replay/build.js";
import type { Answer, Sender } from "../replay/send.js";
import type { LoadedFixture } from "../store/fixture-reader.js";
import { formatDuration } from "../units.js";
import { malformed, stripSignature, tamper, wrongSecret } from "./mutate.js";
import { type CheckProfile, unknownEvent, withNewId } from "./profiles.js";

export type Outcome = "PASS" | "FAIL" | "SKIP";

export interface ScenarioResult {
  n: number;
  id: string;
  title: string;
  outcome: Outcome;
  expected: string;
  got: string;
  latencyMs?: number;
  /** The start of the endpoint's answer (up to 64 KiB), to show the first line of a non-2xx one. */
  responseBody?: Uint8Array;
  /** For a FAIL: why it matters, from the integration checklist. For a SKIP: why it does not apply. */
  note?: string;
}

export interface CheckContext {
  provider: Provider;
  profile: CheckProfile;
  fixture: LoadedFixture;
  secret: string;
  to: URL;
  budgetMs: number;
  sender: Sender;
  now: () => Date;
}

/** How long to wait before calling it a hang: the budget, plus as much again (at least 1s) to measure "too slow". */
export const waitFor = (budgetMs: number): number => budgetMs + Math.max(1000, budgetMs);

const STALE_MS = 60 * 60 * 1000;

export function request(
  ctx: CheckContext,
  fixture: LoadedFixture,
  options: { secret?: string; at?: Date; deliveryId?: string } = {},
): OutgoingRequest {
  return buildRequest({
    fixture,
    provider: ctx.provider,
    secret: options.secret ?? ctx.secret,
    to: ctx.to,
    edits: [],
    extraHeaders: new Headers(),
    now: options.at ?? ctx.now(),
    deliveryId: options.deliveryId ?? randomUUID(),
  });
}

const describeAnswer = (a: Answer): string =>
  a.status === undefined ? (a.error ?? "no answer") : `${a.status} in ${Math.round(a.latencyMs)}ms`;

/** 2xx within the budget. */
export function judgeAck(answer: Answer, budgetMs: number): { pass: boolean; got: string } {
  const ok = answer.status !== undefined && answer.status >= 200 && answer.status < 300;
  const fast = answer.latencyMs <= budgetMs;
  const got = describeAnswer(answer) + (ok && !fast ? ` (over the ${formatDuration(budgetMs)} budget)` : "");
  return { pass: ok && fast, got };
}

/** 4xx: a 5xx, a 2xx or no answer all fail. */
export function judgeReject(answer: Answer): { pass: boolean; got: string } {
  const pass = answer.status !== undefined && answer.status >= 400 && answer.status < 500;
  return { pass, got: describeAnswer(answer) };
}

type Step = (
  ctx: CheckContext,
) => Promise<Omit<ScenarioResult, "n" | "id" | "title" | "note"> & { skip?: string }>;

const send = (ctx: CheckContext, req: OutgoingRequest) => ctx.sender.send(req, waitFor(ctx.budgetMs));

/** The first delivery's id, shared with the duplicate. */
const firstDelivery = new WeakMap<CheckContext, string>();

const ack = async (ctx: CheckContext, req: OutgoingRequest) => {
  const answer = await send(ctx, req);
  const { pass, got } = judgeAck(answer, ctx.budgetMs);
  return {
    outcome: pass ? "PASS" : "FAIL",
    expected: `2xx within ${formatDuration(ctx.budgetMs)}`,
    got,
    latencyMs: answer.latencyMs,
    responseBody: answer.responseBody,
  } as const;
};

const reject = async (ctx: CheckContext, req: OutgoingRequest) => {
  const answer = await send(ctx, req);
  const { pass, got } = judgeReject(answer);
  return {
    outcome: pass ? "PASS" : "FAIL",
    expected: "4xx",
    got,
    latencyMs: answer.latencyMs,
    responseBody: answer.responseBody,
  } as const;
};

const skip = (why: string) => ({ outcome: "SKIP", expected: "-", got: "-", skip: why }) as const;

export const STEPS: { id: string; title: string; advice: string; run: Step }[] = [
  {
    id: "valid",
    title: "valid signed event",
    advice:
      "a slow or non-2xx answer counts as a failed delivery and is retried: verify, queue the work, answer 2xx at once",
    run: (ctx) => {
      const id = randomUUID();
      firstDelivery.set(ctx, id);
      return ack(ctx, request(ctx, ctx.fixture, { deliveryId: id }));
    },
  },
  {
    id: "duplicate",
    title: "same event again",
    advice:
      "providers deliver at least once, so the same event arrives twice: dedupe on the event id and answer 2xx again",
    run: (ctx) => ack(ctx, request(ctx, ctx.fixture, { deliveryId: firstDelivery.get(ctx) })),
  },
  {
    id: "tampered",
    title: "tampered body",
    advice:
      "a body that does not match its signature was accepted: verify the signature over the raw bytes before trusting anything",
    run: (ctx) =>
      ctx.profile.bodyUnsigned
        ? Promise.resolve(skip(`${ctx.provider.name} does not sign the body`))
        : reject(ctx, tamper(request(ctx, ctx.fixture), ctx.provider)),
  },
  {
    id: "missing-signature",
    title: "missing signature",
    advice:
      "an unsigned request was accepted: anyone who finds the URL can forge events; reject with 400/401",
    run: (ctx) => reject(ctx, stripSignature(request(ctx, ctx.fixture), ctx.provider)),
  },
  {
    id: "wrong-secret",
    title: "signed with the wrong secret",
    advice:
      "a signature made with another secret was accepted: compare with your own secret, in constant time",
    run: (ctx) =>
      ctx.provider.usesSecret === false
        ? Promise.resolve(skip(`${ctx.provider.name} signs with a key pair, not a shared secret`))
        : reject(ctx, request(ctx, ctx.fixture, { secret: wrongSecret(ctx.secret) })),
  },
  {
    id: "stale-timestamp",
    title: "stale timestamp (1h old)",
    advice:
      "an old signed request was accepted: check the signed timestamp against a tolerance (about 5 minutes) to stop replays",
    run: (ctx) =>
      ctx.provider.signsTimestamp
        ? reject(ctx, request(ctx, ctx.fixture, { at: new Date(ctx.now().getTime() - STALE_MS) }))
        : Promise.resolve(skip(`${ctx.provider.name} does not sign a timestamp`)),
  },
  {
    id: "malformed-body",
    title: "signed body that does not parse",
    advice:
      "a body that cannot be parsed must get a 4xx: a 5xx makes the provider retry it for days, a hang ties up workers",
    run: (ctx) => {
      const broken = malformed(ctx.fixture, ctx.profile);
      return broken
        ? reject(ctx, request(ctx, broken))
        : Promise.resolve(skip(ctx.profile.noMalformed ?? "not applicable"));
    },
  },
  {
    id: "unknown-event",
    title: "unknown event type",
    advice:
      "event types you do not handle must still get 2xx (and be ignored), or the provider retries them and may disable the endpoint",
    run: (ctx) => {
      const unknown = unknownEvent(ctx.fixture, ctx.profile);
      return unknown
        ? ack(ctx, request(ctx, unknown))
        : Promise.resolve(skip(ctx.profile.noEventTypes ?? "not applicable"));
    },
  },
  {
    id: "concurrent",
    title: "10 concurrent deliveries",
    advice:
      "deliveries come in bursts: answer each within the timeout while others are in flight (queue the work, answer fast)",
    run: concurrent,
  },
];

async function concurrent(ctx: CheckContext) {
  const requests = Array.from({ length: 10 }, () => request(ctx, withNewId(ctx.fixture, ctx.profile)));
  const answers = await Promise.all(requests.map((req) => send(ctx, req)));
  const judged = answers.map((a) => judgeAck(a, ctx.budgetMs));
  const slowest = Math.max(...answers.map((a) => a.latencyMs));
  const failed = judged.filter((j) => !j.pass);
  const got =
    failed.length === 0
      ? `10 × 2xx, slowest ${Math.round(slowest)}ms`
      : `${failed.length} of 10 failed: ${failed[0]?.got}`;
  return {
    outcome: failed.length === 0 ? "PASS" : "FAIL",
    expected: `10 × 2xx within ${formatDuration(ctx.budgetMs)}`,
    got,
    latencyMs: slowest,
  } as const;
}

/** Runs the nine scenarios in order (each after the previous one answered); `onResult` sees each as it ends. */
export async function runChecklist(
  ctx: CheckContext,
  onResult?: (r: ScenarioResult) => void,
): Promise<ScenarioResult[]> {
  const results: ScenarioResult[] = [];
  for (const [i, step] of STEPS.entries()) {
    const { skip: why, ...rest } = await step.run(ctx);
    const note = rest.outcome === "FAIL" ? step.advice : rest.outcome === "SKIP" ? why : undefined;
    const result: ScenarioResult = { n: i + 1, id: step.id, title: step.title, ...rest, note };
    if (result.latencyMs !== undefined) result.latencyMs = Math.round(result.latencyMs);
    results.push(result);
    onResult?.(result);
  }
  return results;
}
