import { randomUUID } from "node:crypto";
import { applyEdits, type Edit } from "../replay/edit.js";
import { withEventId } from "../replay/event-id.js";
import type { LoadedFixture } from "../store/fixture-reader.js";

/**
 * What `hook check` needs to know about a provider's events that the Provider interface does not
 * say: where the event type and id live (to make an "unknown event" and distinct events), the
 * sample to start from, and which scenarios cannot apply. Kept here, not in src/providers,
 * because only the checklist uses it.
 */
export interface CheckProfile {
  /** The built-in sample to use when --fixture is not given. */
  sample?: string;
  /** The event type (where the event id lives is src/replay/event-id.ts, shared with trigger): a JSON path in the body, and/or headers that carry it. */
  typePath?: string[];
  typeHeaders?: string[];
  /** Replaces the whole body for the unknown-event scenario (Telegram: a new kind of update). */
  unknownBody?: (id: string) => string;
  /** Why the unknown-event scenario does not apply (no event types at all). */
  noEventTypes?: string;
  /** Why the malformed-body scenario does not apply. */
  noMalformed?: string;
  /** The body is not signed at all (Telegram's secret token): tampering cannot be detected by design. */
  bodyUnsigned?: boolean;
  /** A malformed body of this provider's kind. */
  malformed?: () => string;
}

const UNKNOWN = "hook.check_unknown_event";

const PROFILES: Record<string, CheckProfile> = {
  stripe: { sample: "payment_intent.succeeded", typePath: ["type"] },
  github: { sample: "push", typeHeaders: ["x-github-event"] },
  shopify: { sample: "orders/create", typeHeaders: ["x-shopify-topic"] },
  slack: { sample: "message", typePath: ["event", "type"] },
  standard: { sample: "contact.created", typePath: ["type"] },
  svix: { sample: "contact.created", typePath: ["type"] },
  twilio: {
    sample: "sms",
    noEventTypes: "Twilio webhooks have no event type field",
    noMalformed: "a form-encoded body always parses",
  },
  twitch: {
    sample: "channel.follow",
    typePath: ["subscription", "type"],
    typeHeaders: ["twitch-eventsub-subscription-type"],
  },
  websub: {
    sample: "youtube.video",
    noEventTypes: "WebSub notifications have no event type",
    malformed: () => "<?xml version='1.0' encoding='UTF-8'?>\n<feed><entry><title>cut off",
  },
  telegram: {
    sample: "message",
    bodyUnsigned: true,
    unknownBody: (id) =>
      JSON.stringify({ update_id: Number.parseInt(id, 16) % 1e9, hook_check_unknown_update: { date: 0 } }),
  },
  liqpay: {
    sample: "success",
    typePath: ["data", "status"],
    malformed: () => `data=${encodeURIComponent(Buffer.from('{"order_id": "cut off').toString("base64"))}`,
  },
  paypal: { sample: "PAYMENT.CAPTURE.COMPLETED", typePath: ["event_type"] },
  paddle: { sample: "transaction.completed", typePath: ["event_type"] },
};

/** For hmac, none and anything else: a plain JSON event. */
const GENERIC: CheckProfile = { typePath: ["type"] };

export const GENERIC_EVENT = (): string =>
  `${JSON.stringify({ id: `evt_hook_check_${randomUUID().slice(0, 8)}`, type: "hook.check", created: 0, data: { object: { id: "obj_hook_check", amount: 500 } } }, null, 2)}\n`;

export function profileFor(provider: string): CheckProfile {
  return PROFILES[provider] ?? GENERIC;
}

function edit(fixture: LoadedFixture, path: string[], value: unknown): LoadedFixture {
  try {
    const e: Edit = { text: path.join("."), path, value };
    return { ...fixture, body: applyEdits(fixture.body, fixture.headers["content-type"], [e]) };
  } catch {
    return fixture; // the sample has no such field: leave it
  }
}

/** The sample as an event type nobody handles, under a new id; undefined when the provider has no types. */
export function unknownEvent(
  fixture: LoadedFixture,
  profile: CheckProfile,
  provider: string,
): LoadedFixture | undefined {
  if (profile.noEventTypes) return undefined;
  const fresh = withEventId(fixture, provider);
  if (profile.unknownBody)
    return { ...fresh, body: Buffer.from(profile.unknownBody(randomUUID().replaceAll("-", ""))) };
  let out = profile.typePath ? edit(fresh, profile.typePath, UNKNOWN) : fresh;
  const headers = { ...out.headers };
  for (const name of profile.typeHeaders ?? []) headers[name] = UNKNOWN;
  out = { ...out, headers };
  return out;
}
