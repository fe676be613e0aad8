import { randomUUID } from "node:crypto";
import { anyEqual, field, hexBytes, hmac, tryJson } from "./crypto.js";
import type { HandshakeAnswer, Provider, ReceivedRequest, Verdict, VerifyInput } from "./types.js";
import { checkTimestamp, malformedHeader, missingHeader, noMatch, noSecret } from "./verdict.js";

const ID = "twitch-eventsub-message-id";
const TIMESTAMP = "twitch-eventsub-message-timestamp";
const SIGNATURE = "twitch-eventsub-message-signature";
const TYPE = "twitch-eventsub-message-type";
/** Twitch's replay guard ("older than 10 minutes"), as twurple applies it; past only. */
const TOLERANCE_SECONDS = 600;

function signature(secret: string, id: string, timestamp: string, body: Uint8Array): Buffer {
  return hmac("sha256", secret, id, timestamp, body);
}

/** Subscription statuses that come in a revocation message (Twitch's EventSub docs). */
const REVOKED = new Set([
  "authorization_revoked",
  "user_removed",
  "notification_failures_exceeded",
  "version_removed",
  "moderator_removed",
]);

/** The message type the body implies, for sign(): a challenge, a revoked subscription, or an event. */
function messageType(body: Uint8Array): string {
  const json = tryJson(body);
  if (field(json, "challenge") !== undefined) return "webhook_callback_verification";
  if (REVOKED.has(field(json, "subscription", "status") ?? "")) return "revocation";
  return "notification";
}

function verifyTwitch({ body, headers, secrets, now, toleranceSeconds }: VerifyInput): Verdict {
  const sig = headers.get(SIGNATURE);
  if (sig === null) return missingHeader("Twitch-Eventsub-Message-Signature");
  const id = headers.get(ID);
  if (id === null) return missingHeader("Twitch-Eventsub-Message-Id");
  const ts = headers.get(TIMESTAMP);
  if (ts === null) return missingHeader("Twitch-Eventsub-Message-Timestamp");
  const signedAt = Date.parse(ts);
  if (Number.isNaN(signedAt))
    return malformedHeader("Twitch-Eventsub-Message-Timestamp", "it is not RFC 3339");
  if (!sig.startsWith("sha256="))
    return malformedHeader("Twitch-Eventsub-Message-Signature", "it must start with sha256=");
  const given = hexBytes(sig.slice(7));
  if (!given) return malformedHeader("Twitch-Eventsub-Message-Signature", "after sha256= comes a hex digest");
  if (secrets.length === 0) return noSecret();
  // The timestamp is signed as the exact text of the header, nanoseconds and all.
  if (!secrets.some((secret) => anyEqual(signature(secret, id, ts, body), [given]))) {
    return noMatch(
      "the secret is the one given when the EventSub subscription was created (10-100 characters)",
    );
  }
  return checkTimestamp(Math.floor(signedAt / 1000), now, toleranceSeconds ?? TOLERANCE_SECONDS, false);
}

export const twitch: Provider = {
  name: "twitch",
  summary:
    "HMAC-SHA256 of `id + timestamp + body`, hex, in Twitch-Eventsub-Message-Signature; 10-minute window",
  signatureHeaders: [
    ID,
    TIMESTAMP,
    SIGNATURE,
    TYPE,
    "twitch-eventsub-message-retry",
    "twitch-eventsub-subscription-type",
    "twitch-eventsub-subscription-version",
  ],
  signsTimestamp: true,
  toleranceSeconds: TOLERANCE_SECONDS,
  // Twitch: respond "within a few seconds" or the subscription fails; 3 s is a safe reading of it.
  timeoutMs: 3_000,
  contentType: "application/json",

  sign({ body, secret, timestamp, deliveryId }) {
    const id = deliveryId ?? randomUUID();
    const ts = timestamp.toISOString();
    const json = tryJson(body);
    const headers: Record<string, string> = {
      "Twitch-Eventsub-Message-Id": id,
      "Twitch-Eventsub-Message-Retry": "0",
      "Twitch-Eventsub-Message-Type": messageType(body),
      "Twitch-Eventsub-Message-Signature": `sha256=${signature(secret, id, ts, body).toString("hex")}`,
      "Twitch-Eventsub-Message-Timestamp": ts,
    };
    const subType = field(json, "subscription", "type");
    const subVersion = field(json, "subscription", "version");
    if (subType) headers["Twitch-Eventsub-Subscription-Type"] = subType;
    if (subVersion) headers["Twitch-Eventsub-Subscription-Version"] = subVersion;
    return headers;
  },

  verify: verifyTwitch,

  describe(body, headers) {
    const json = tryJson(body);
    const messageId = headers.get(ID) ?? undefined;
    return {
      type: headers.get("twitch-eventsub-subscription-type") ?? field(json, "subscription", "type"),
      // Twitch resends a failed notification with the same message id: that is the dedupe key.
      id: messageId,
      deliveryId: messageId,
    };
  },

  checkSecret(secret) {
    // Twitch refuses to create a subscription with a secret outside 10-100 characters.
    if (secret.length < 10 || secret.length > 100)
      return "a Twitch EventSub secret is 10-100 characters long";
    return undefined;
  },

  handshake(request: ReceivedRequest): HandshakeAnswer | undefined {
    // Handshakes are POSTs. A GET that merely looks like one must not pass as an unsigned handshake.
    if (request.method !== "POST") return undefined;
    if (request.headers.get(TYPE) !== "webhook_callback_verification") return undefined;
    const challenge = field(tryJson(request.body), "challenge");
    if (challenge === undefined) return undefined;
    return { status: 200, headers: { "content-type": "text/plain" }, body: challenge };
  },
};
