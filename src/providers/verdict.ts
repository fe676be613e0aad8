import type { Verdict } from "./types.js";

/** Exact to the second ("5m 1s"): a rounded "5m ago, tolerance 5m" would not say by how much. */
function preciseSeconds(total: number): string {
  const days = Math.floor(total / 86_400);
  const hours = Math.floor((total % 86_400) / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = total % 60;
  const parts = [
    days && `${days}d`,
    hours && `${hours}h`,
    minutes && `${minutes}m`,
    (seconds || total === 0) && `${seconds}s`,
  ];
  return parts.filter(Boolean).join(" ");
}

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
      reason: `timestamp too old: signed ${preciseSeconds(age)} ago, ${preciseSeconds(age - toleranceSeconds)} beyond the ${preciseSeconds(toleranceSeconds)} tolerance`,
      hint: "a replay of an old delivery? re-sign it with `hook replay`, or check this machine's clock",
    };
  }
  if (futureToo && -age > toleranceSeconds) {
    return {
      ok: false,
      code: "timestamp-too-new",
      reason: `timestamp too new: signed ${preciseSeconds(-age)} in the future, ${preciseSeconds(-age - toleranceSeconds)} beyond the ${preciseSeconds(toleranceSeconds)} tolerance`,
      hint: "check this machine's clock",
    };
  }
  return valid;
}
