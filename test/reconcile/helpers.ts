import type { IncomingMessage, ServerResponse } from "node:http";
import { Target } from "../helpers/target.js";
import { workDir } from "../listen/helpers.js";
import { FakeStripeApi, type StripeEventLike } from "../poll/helpers/fake-stripe-api.js";

export const API_KEY = "sk_test_fake";

/**
 * The poll stand-in plus GET /v1/events/{id} (what --confirm asks): the event, or Stripe's 404
 * resource_missing. Everything else is the list endpoint the passes page through; `failures` come
 * first for both.
 */
export class FakeStripeEvents extends FakeStripeApi {
  readonly lookups: string[] = [];

  protected override handle(req: IncomingMessage, res: ServerResponse): void {
    const match = /^\/v1\/events\/([^/?]+)/.exec(req.url ?? "");
    if (!match || this.failures.length > 0) {
      super.handle(req, res);
      return;
    }
    const id = decodeURIComponent(match[1] ?? "");
    this.lookups.push(id);
    const event = this.events.find((e) => e.id === id);
    res.writeHead(event ? 200 : 404, { "content-type": "application/json" });
    res.end(
      JSON.stringify(
        event ?? {
          error: {
            message: `No such event: '${id}'`,
            code: "resource_missing",
            type: "invalid_request_error",
          },
        },
      ),
    );
  }
}

/** The webhook Stripe sends for an event: the event object, two-space indented, as Stripe does. */
export function webhookBody(event: StripeEventLike): string {
  return JSON.stringify(event, null, 2);
}

/** Event ids the app got, in arrival order, from the bodies it received. */
export function idsReceived(bodies: Buffer[]): string[] {
  return bodies.map((b) => (JSON.parse(b.toString("utf8")) as { id: string }).id);
}

/**
 * What a reconcile test runs against: the API stand-in it is given (started), an app and a work
 * folder; `cleanups` (run last first after the test) closes and removes all three.
 */
export async function reconcileSetup<A extends { close(): unknown }>(
  cleanups: (() => unknown)[],
  api: A,
): Promise<{ api: A; app: Target; work: ReturnType<typeof workDir> }> {
  const app = await new Target().start();
  const work = workDir();
  cleanups.push(
    () => api.close(),
    () => app.close(),
    () => work.remove(),
  );
  return { api, app, work };
}
