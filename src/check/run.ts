import { redactUrl } from "../redact.js";
import type { Answer } from "../replay/send.js";
import { type FirstFix, firstFix } from "./diagnose.js";
import { acknowledged, withoutAck } from "./judge.js";
import { type CheckContext, type ScenarioResult, STEPS } from "./scenarios.js";

const NO_ACK = "the valid event was not acknowledged, so this answer cannot be told apart from that refusal";

interface Checklist {
  results: ScenarioResult[];
  /** Set when the valid event was not acknowledged: what to fix before anything else. */
  firstFix?: FirstFix;
}

/** Runs the nine scenarios in order (each after the previous one answered); `onResult` sees each as it ends. */
export async function runChecklist(
  ctx: CheckContext,
  onResult?: (r: ScenarioResult) => void,
): Promise<Checklist> {
  const results: ScenarioResult[] = [];
  const answers = new Map<string, Answer>();
  let acked = true;
  for (const [i, step] of STEPS.entries()) {
    const measured = await step.run(ctx);
    if (measured.answer) answers.set(step.id, measured.answer);
    if (step.needsAck === false) acked = measured.answer !== undefined && acknowledged(measured.answer);
    const {
      skip: why,
      answer: _,
      advice,
      ...judged
    } = step.needsAck === false || acked ? measured : withoutAck(measured);
    const note =
      judged.outcome === "FAIL"
        ? (advice ?? step.advice)
        : judged.outcome === "SKIP"
          ? why
          : judged.outcome === "INCONCLUSIVE"
            ? NO_ACK
            : undefined;
    const result: ScenarioResult = { n: i + 1, id: step.id, title: step.title, ...judged, note };
    if (result.latencyMs !== undefined) result.latencyMs = Math.round(result.latencyMs);
    results.push(result);
    onResult?.(result);
  }
  const valid = answers.get("valid");
  const fix = valid
    ? firstFix(valid, answers.get("missing-signature"), ctx.provider, redactUrl(ctx.to.href))
    : undefined;
  return { results, firstFix: fix };
}
