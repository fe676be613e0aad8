import { UsageError } from "../errors.js";
import { eventFilter } from "../receive/filter.js";
import { ApiFailure, apiFailure } from "./api-error.js";
import { type ApiRequest, callApi } from "./http.js";
import type { Credentials, RegisterContext, RegisterFlags, Registrar, Removal } from "./types.js";

/** The context a registrar works in; `apiBase` (--api-base) replaces the origin of every call. */
export function registerContext(
  registrar: Registrar,
  credentials: Credentials,
  flags: RegisterFlags,
  apiBase?: string,
  /** Also cut out of whatever the API echoes back: the webhook secret hook gives the provider. */
  hidden: string[] = [],
  /** Where the proxy variables come from: the command's environment. */
  env: Record<string, string | undefined> = {},
): RegisterContext {
  const base = (apiBase ?? registrar.origin(credentials, flags)).replace(/\/+$/, "");
  const secrets = [credentials.key, credentials.secret ?? "", ...hidden];
  return {
    base,
    keySource: registrar.identity.keySource,
    credentials,
    flags,
    memo: new Map(),
    async call(req, doing) {
      const answer = await callApi(req, env);
      if (answer.status >= 200 && answer.status < 300) return answer;
      throw apiFailure(answer, registrar.identity, doing, secrets);
    },
  };
}

/** An OAuth client-credentials token (Twitch, PayPal), fetched once per run. */
export async function appToken(ctx: RegisterContext, fetchToken: () => Promise<unknown>): Promise<string> {
  const known = ctx.memo.get("token");
  if (typeof known === "string") return known;
  let answer: { access_token?: unknown } | undefined;
  try {
    answer = (await fetchToken()) as typeof answer;
  } catch (error) {
    // A token endpoint answers bad client credentials with 400, 401 or 403 alike: it is the key either way.
    if (error instanceof ApiFailure && error.status >= 400 && error.status < 404) {
      const head = error.message.slice(0, error.message.indexOf(")") + 1);
      throw new ApiFailure(
        `${head}: the client id or secret was not accepted`,
        401,
        `check ${ctx.keySource}`,
      );
    }
    throw error;
  }
  if (typeof answer?.access_token !== "string") throw new Error("the token endpoint gave no access_token");
  ctx.memo.set("token", answer.access_token);
  return answer.access_token;
}

/** A DELETE (or similar) whose 404 means the thing is already gone: nothing left behind either way. */
export async function removeOrGone(ctx: RegisterContext, req: ApiRequest, doing: string): Promise<Removal> {
  try {
    await ctx.call(req, doing);
    return "removed";
  } catch (error) {
    if (error instanceof ApiFailure && (error.status === 404 || error.status === 410)) return "gone";
    throw error;
  }
}

/**
 * --events for an API that takes exact names or "everything" (Stripe's enabled_events, Telegram's
 * allowed_updates): the names as given, or undefined (everything) when none are given or any has a
 * wildcard, since such an API cannot subscribe to a pattern.
 */
export function exactEvents(patterns: string[] | undefined): string[] | undefined {
  if (!patterns || patterns.some((p) => p.includes("*"))) return undefined;
  return patterns;
}

/** The provider's event names that --events patterns select, for APIs that take exact names only. */
export function selectEvents(patterns: string[], names: string[], provider: string): string[] {
  const matches = eventFilter(patterns.join(",")) as (type: string) => boolean;
  const chosen = names.filter(matches);
  if (chosen.length === 0) {
    throw new UsageError(`--events ${patterns.join(",")} matches none of ${provider}'s event types`);
  }
  return chosen;
}
