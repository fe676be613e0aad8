import { randomUUID } from "node:crypto";
import type { Provider } from "../providers/types.js";
import { buildRequest, type OutgoingRequest } from "../replay/build.js";
import { withEventId } from "../replay/event-id.js";
import type { Answer, Sender } from "../replay/send.js";
import type { LoadedFixture } from "../store/fixture-reader.js";
import { formatDuration } from "../units.js";
import { type Judged, judgeAck, judgeReject, type ScenarioOutcome } from "./judge.js";
import { malformed, stripSignature, tamper, wrongSecret } from "./mutate.js";
import { type CheckProfile, unknownEvent } from "./profiles.js";

export interface ScenarioResult {
  n: number;
  id: string;
  title: string;
  outcome: ScenarioOutcome;
  expected: string;
  got: string;
  status?: number;
  latencyMs?: number;
  /**
   * FAIL: what the answer means, from the integration checklist. SKIP: why it does not apply.
   * INCONCLUSIVE: why nothing can be concluded.
   */
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
    extraHeaders: new Headers(),
    now: options.at ?? ctx.now(),
    deliveryId: options.deliveryId ?? randomUUID(),
  });
}

interface StepResult extends Judged {
  skip?: string;
  answer?: Answer;
}

type Step = (ctx: CheckContext) => Promise<StepResult>;

const send = (ctx: CheckContext, req: OutgoingRequest) => ctx.sender.send(req, waitFor(ctx.budgetMs));

/** The first delivery's id, shared with the duplicate. */
const firstDelivery = new WeakMap<CheckContext, string>();

const ack = async (ctx: CheckContext, req: OutgoingRequest): Promise<StepResult> => {
  const answer = await send(ctx, req);
  return { ...judgeAck(answer, ctx.budgetMs), answer };
};

const reject = async (ctx: CheckContext, req: OutgoingRequest, accepted: string): Promise<StepResult> => {
  const answer = await send(ctx, req);
  return { ...judgeReject(answer, accepted), answer };
};

const skip = (why: string): Promise<StepResult> =>
  Promise.resolve({ outcome: "SKIP", expected: "-", got: "-", skip: why });

interface StepSpec {
  id: string;
  /** What was measured, and nothing more: "acknowledged twice", not "idempotent". */
  title: string;
  /** For an acknowledgement that failed: why it matters. */
  advice?: string;
  /** false only for the valid event itself: everything else means something only once it was acknowledged. */
  needsAck?: false;
  run: Step;
}

export const STEPS: StepSpec[] = [
  {
    id: "valid",
    title: "valid signed event acknowledged",
    advice:
      "a slow or non-2xx answer counts as a failed delivery and is retried: verify, queue the work, answer 2xx at once",
    needsAck: false,
    run: (ctx) => {
      const id = randomUUID();
      firstDelivery.set(ctx, id);
      return ack(ctx, request(ctx, ctx.fixture, { deliveryId: id }));
    },
  },
  {
    id: "duplicate",
    title: "same event acknowledged twice",
    advice:
      "providers deliver at least once, so the same event arrives twice: dedupe on the event id and answer 2xx again",
    run: (ctx) => ack(ctx, request(ctx, ctx.fixture, { deliveryId: firstDelivery.get(ctx) })),
  },
  {
    id: "tampered",
    title: "tampered body rejected",
    run: (ctx) =>
      ctx.profile.bodyUnsigned
        ? skip(`${ctx.provider.name} does not sign the body`)
        : reject(
            ctx,
            tamper(request(ctx, ctx.fixture), ctx.provider),
            "a body that does not match its signature was accepted: verify the signature over the raw bytes before trusting anything",
          ),
  },
  {
    id: "missing-signature",
    title: "missing signature rejected",
    run: (ctx) =>
      reject(
        ctx,
        stripSignature(request(ctx, ctx.fixture), ctx.provider),
        "an unsigned request was accepted: anyone who finds the URL can forge events; reject with 400/401",
      ),
  },
  {
    id: "wrong-secret",
    title: "wrong-secret signature rejected",
    run: (ctx) =>
      ctx.provider.usesSecret === false
        ? skip(`${ctx.provider.name} signs with a key pair, not a shared secret`)
        : reject(
            ctx,
            request(ctx, ctx.fixture, { secret: wrongSecret(ctx.secret) }),
            "a signature made with another secret was accepted: compare with your own secret, in constant time",
          ),
  },
  {
    id: "stale-timestamp",
    title: "stale timestamp (1h old) rejected",
    run: (ctx) =>
      ctx.provider.signsTimestamp
        ? reject(
            ctx,
            request(ctx, ctx.fixture, { at: new Date(ctx.now().getTime() - STALE_MS) }),
            "an old signed request was accepted: check the signed timestamp against a tolerance (about 5 minutes) to stop replays",
          )
        : skip(`${ctx.provider.name} does not sign a timestamp`),
  },
  {
    id: "malformed-body",
    title: "unparsable signed body gets 4xx",
    run: (ctx) => {
      const broken = malformed(ctx.fixture, ctx.profile);
      return broken
        ? reject(
            ctx,
            request(ctx, broken),
            "a body that cannot be parsed was answered 2xx: answer 4xx, so the sender knows it was not taken",
          )
        : skip(ctx.profile.noMalformed ?? "not applicable");
    },
  },
  {
    id: "unknown-event",
    title: "unknown event type acknowledged",
    advice:
      "event types you do not handle must still get 2xx (and be ignored), or the provider retries them and may disable the endpoint",
    run: (ctx) => {
      const unknown = unknownEvent(ctx.fixture, ctx.profile, ctx.provider.name);
      return unknown ? ack(ctx, request(ctx, unknown)) : skip(ctx.profile.noEventTypes ?? "not applicable");
    },
  },
  {
    id: "concurrent",
    title: "10 concurrent deliveries acknowledged",
    advice:
      "deliveries come in bursts: answer each within the timeout while others are in flight (queue the work, answer fast)",
    run: concurrent,
  },
];

async function concurrent(ctx: CheckContext): Promise<StepResult> {
  const requests = Array.from({ length: 10 }, () =>
    request(ctx, withEventId(ctx.fixture, ctx.provider.name)),
  );
  const answers = await Promise.all(requests.map((req) => send(ctx, req)));
  const judged = answers.map((a) => judgeAck(a, ctx.budgetMs));
  const slowest = Math.max(...answers.map((a) => a.latencyMs));
  const failed = judged.filter((j) => j.outcome !== "PASS");
  return {
    outcome: failed.length === 0 ? "PASS" : "FAIL",
    expected: `10 × 2xx within ${formatDuration(ctx.budgetMs)}`,
    got:
      failed.length === 0
        ? `10 × 2xx, slowest ${Math.round(slowest)}ms`
        : `${failed.length} of 10 failed: ${failed[0]?.got}`,
    status: failed[0]?.status ?? judged[0]?.status,
    latencyMs: slowest,
  };
}
