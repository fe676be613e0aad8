import { HookError } from "../errors.js";
import type { ApiAnswer } from "./http.js";

/** How a provider's API is named in errors, and what its key needs. */
export interface ApiIdentity {
  /** "Stripe API" */
  api: string;
  /** Where the key comes from: "--api-key or STRIPE_API_KEY". */
  keySource: string;
  /** The permission that managing webhooks needs: "the Webhook Endpoints: write permission". */
  scope: string;
  /** An answer other than 401 that still means "bad key" (Paddle answers a revoked key with 403). */
  badKey?: (answer: ApiAnswer) => boolean;
}

/** A non-2xx answer of a provider's API; `status` lets a registrar treat a 404 as "already gone". */
export class ApiFailure extends HookError {
  constructor(
    message: string,
    readonly status: number,
    hint: string,
  ) {
    super(message, { hint });
    this.name = "ApiFailure";
  }
}

/**
 * One sentence per failure that says what to do: 401 names the key and its variable, 403 the missing
 * permission, any other 4xx what the provider objected to, in its own words. `secrets` (the key, a
 * bot token) are cut out of whatever the provider echoed back.
 */
export function apiFailure(
  answer: ApiAnswer,
  who: ApiIdentity,
  doing: string,
  secrets: string[],
): ApiFailure {
  const said = scrub(objection(answer), secrets);
  const head = `${who.api} refused to ${doing} (${answer.status})`;
  if (answer.status === 401 || who.badKey?.(answer)) {
    return new ApiFailure(
      `${head}: the key was not accepted${said ? `: ${said}` : ""}`,
      401,
      `check ${who.keySource}`,
    );
  }
  if (answer.status === 403) {
    return new ApiFailure(
      `${head}: the key may not manage webhooks${said ? `: ${said}` : ""}`,
      403,
      `the key needs ${who.scope}`,
    );
  }
  if (answer.status >= 500) {
    return new ApiFailure(
      `${head}: the API failed${said ? `: ${said}` : ""}`,
      answer.status,
      "try again in a minute",
    );
  }
  return new ApiFailure(
    `${head}: ${said || "no reason given"}`,
    answer.status,
    "fix what the API objected to and run again",
  );
}

type Json = Record<string, unknown>;
const obj = (value: unknown): Json | undefined =>
  typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Json) : undefined;
const str = (value: unknown): string | undefined =>
  typeof value === "string" && value.trim() !== "" ? value : undefined;

/** The provider's own words, from the error shapes the seven APIs use. */
function objection(answer: ApiAnswer): string {
  const j = obj(answer.json);
  if (!j) return answer.text.trim().slice(0, 200);
  const error = obj(j.error);
  const parts = [
    str(error?.message), // Stripe
    str(error?.detail), // Paddle
    str(j.message), // GitHub, PayPal, Twitch
    str(j.description), // Telegram
    str(j.error_description) ?? str(j.error), // OAuth token endpoints
  ];
  // Field-level reasons: GitHub's errors[].message, Paddle's error.errors[], PayPal's details[].
  for (const list of [j.errors, error?.errors, j.details]) {
    for (const item of Array.isArray(list) ? list.map(obj) : []) {
      const text = str(item?.message) ?? str(item?.issue) ?? str(item?.description);
      const where = str(item?.field) ?? str(item?.param);
      if (text) parts.push(where ? `${where}: ${text}` : text);
    }
  }
  const param = str(error?.param);
  if (param) parts.push(`(parameter ${param})`);
  return [...new Set(parts.filter((p): p is string => p !== undefined))].join("; ");
}

function scrub(text: string, secrets: string[]): string {
  let out = text;
  for (const secret of secrets) if (secret.length >= 4) out = out.split(secret).join("[redacted]");
  return out;
}
