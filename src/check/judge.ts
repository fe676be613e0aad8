import type { Answer } from "../replay/send.js";
import { answerSnippet } from "../ui/answer.js";
import { formatDuration } from "../units.js";

/**
 * PASS and FAIL are measured; SKIP does not apply to this provider; INCONCLUSIVE was measured but
 * means nothing, because the valid event itself was not acknowledged (a 4xx to a tampered body
 * proves no verification when a correctly signed event gets the same 4xx).
 */
export type ScenarioOutcome = "PASS" | "FAIL" | "SKIP" | "INCONCLUSIVE";

export interface Judged {
  outcome: ScenarioOutcome;
  expected: string;
  got: string;
  status?: number;
  latencyMs?: number;
  /** Only for a FAIL: what the answer means, in the checklist's words. */
  advice?: string;
}

const is2xx = (status: number | undefined) => status !== undefined && status >= 200 && status < 300;

/** The app's own words: the first line of a non-2xx answer (escaped, cut), for the line that shows its status. */
export function appWords(answer: Answer): string | undefined {
  return answer.status === undefined ? undefined : answerSnippet(answer.status, answer.responseBody);
}

function describeAnswer(answer: Answer): string {
  if (answer.status === undefined) return answer.error ?? "no answer";
  const words = appWords(answer);
  return `${answer.status} in ${Math.round(answer.latencyMs)}ms${words ? `: ${words}` : ""}`;
}

/** Whether the endpoint took the event: a 2xx, however slow (the budget is judged on its own). */
export const acknowledged = (answer: Answer): boolean => is2xx(answer.status);

/** 2xx within the budget. */
export function judgeAck(answer: Answer, budgetMs: number): Judged {
  const ok = is2xx(answer.status);
  const fast = answer.latencyMs <= budgetMs;
  const slow = ok && !fast ? ` (over the ${formatDuration(budgetMs)} budget)` : "";
  return {
    outcome: ok && fast ? "PASS" : "FAIL",
    expected: `2xx within ${formatDuration(budgetMs)}`,
    got: describeAnswer(answer) + slow,
    status: answer.status,
    latencyMs: answer.latencyMs,
  };
}

/**
 * 4xx. A 2xx is the failure the scenario looks for ("accepted"); a 5xx or no answer fail too, with
 * advice that says what actually happened rather than claiming the request was accepted.
 */
export function judgeReject(answer: Answer, acceptedAdvice: string): Judged {
  const pass = answer.status !== undefined && answer.status >= 400 && answer.status < 500;
  const advice =
    answer.status === undefined
      ? "no answer: an endpoint must answer every request, quickly, even the ones it refuses"
      : answer.status >= 500
        ? "a request the endpoint refuses should get a 4xx: a 5xx tells the provider to retry it for days"
        : answer.status < 400
          ? acceptedAdvice
          : undefined;
  return {
    outcome: pass ? "PASS" : "FAIL",
    expected: "4xx",
    got: describeAnswer(answer),
    status: answer.status,
    latencyMs: answer.latencyMs,
    advice: pass ? undefined : advice,
  };
}

/**
 * A scenario that relies on the valid event being acknowledged, when it was not: nothing it
 * measured can be told apart from that refusal, so it is INCONCLUSIVE. One exception keeps its
 * FAIL: a bad request the endpoint accepted (2xx) is wrong whatever happened to the good one.
 */
export function withoutAck<T extends Judged>(judged: T): T {
  if (judged.outcome === "SKIP") return judged;
  if (judged.expected === "4xx" && is2xx(judged.status)) return judged;
  return { ...judged, outcome: "INCONCLUSIVE", advice: undefined };
}
