import { formatDuration } from "../units.js";
import type { Verdict } from "./types.js";

export const valid: Verdict = { ok: true };

export function missingHeader(header: string): Verdict {
  return {
    ok: false,
    code: "missing-header",
    reason: `${header} header is missing`,
    hint: "is the request from the provider, and is its signing secret set?",
  };
}

export function malformedHeader(header: string, why: string): Verdict {
  return { ok: false, code: "malformed-header", reason: `${header} header is malformed: ${why}` };
}

export function noSecret(): Verdict {
  return {
    ok: false,
    code: "no-secret",
    reason: "no secret to verify with",
    hint: "pass --secret or set HOOK_SECRET",
  };
}

export function noMatch(extraHint?: string): Verdict {
  const hints = [
    extraHint,
    "the body may have been changed in transit, or the secret is not this endpoint's",
  ].filter(Boolean);
  return { ok: false, code: "no-match", reason: "no signature matches", hint: hints.join("; ") };
}

/**
 * Checks a signed timestamp against the window. `futureToo` for schemes that reject timestamps
 * from the future (Standard Webhooks); Stripe and Slack accept them.
 */
export function checkTimestamp(
  signedAtSeconds: number,
  now: Date,
  toleranceSeconds: number,
  futureToo: boolean,
): Verdict {
  if (toleranceSeconds <= 0) return valid;
  const age = Math.floor(now.getTime() / 1000) - signedAtSeconds;
  if (age > toleranceSeconds) {
    return {
      ok: false,
      code: "timestamp-too-old",
      reason: `timestamp too old: signed ${formatDuration(age * 1000)} ago, tolerance is ${formatDuration(toleranceSeconds * 1000)}`,
      hint: "a replay of an old delivery? re-sign it with `hook replay`, or check this machine's clock",
    };
  }
  if (futureToo && -age > toleranceSeconds) {
    return {
      ok: false,
      code: "timestamp-too-new",
      reason: `timestamp too new: signed ${formatDuration(-age * 1000)} in the future, tolerance is ${formatDuration(toleranceSeconds * 1000)}`,
      hint: "check this machine's clock",
    };
  }
  return valid;
}
