import { errorMessage } from "../errors.js";
import { type ApiClient, ApiError } from "../poll/api-client.js";

/** The pipeline's question before forwarding a verified webhook: does the provider's API know it? */
export type Confirm = (event: { id?: string; type?: string }) => Promise<Refusal | undefined>;

interface Refusal {
  /** 401: the API does not know the event (rejected like a bad signature); 503: could not ask. */
  status: 401 | 503;
  reason: string;
}

/**
 * --confirm for Stripe: GET /v1/events/{id}. A correctly signed webhook for an event the API does not
 * have (or has under another type) is refused: a leaked signing secret alone cannot make hook forward
 * an invented event. When the API cannot be asked, the answer is 503, so Stripe sends it again later.
 */
export function stripeConfirm(api: ApiClient, apiBase: string): Confirm {
  const base = apiBase.replace(/\/+$/, "");
  return async ({ id, type }) => {
    if (!id) return { status: 401, reason: "not confirmed: the webhook carries no event id" };
    try {
      const url = `${base}/v1/events/${encodeURIComponent(id)}`;
      const { value } = await api.call(
        { url },
        (res) => parseEvent(res.body),
        () => 1,
      );
      if (value.id !== id || (type !== undefined && value.type !== type)) {
        return {
          status: 401,
          reason: `not confirmed: the Stripe API has ${id} as ${value.type ?? "another event"}`,
        };
      }
      return undefined;
    } catch (error) {
      if (error instanceof ApiError && error.status === 404)
        return { status: 401, reason: `not confirmed: the Stripe API does not know event ${id}` };
      return {
        status: 503,
        reason: `could not confirm ${id} with the Stripe API: ${errorMessage(error)}`,
      };
    }
  };
}

function parseEvent(body: Buffer): { id?: string; type?: string } {
  try {
    const value = JSON.parse(body.toString("utf8")) as { id?: unknown; type?: unknown };
    return { id: String(value.id), type: typeof value.type === "string" ? value.type : undefined };
  } catch {
    return {};
  }
}
