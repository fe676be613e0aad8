import { lenientUtf8 } from "../utf8.js";
import { anyEqual, field, hexBytes, hmac, tryJson } from "./crypto.js";
import type { HandshakeAnswer, Provider, ReceivedRequest } from "./types.js";
import { checkTimestamp, malformedHeader, missingHeader, noMatch, noSecret } from "./verdict.js";

const SIGNATURE = "x-slack-signature";
const TIMESTAMP = "x-slack-request-timestamp";
/** Bolt's verifySlackRequest: stale after 5 minutes; future timestamps pass. */
const TOLERANCE_SECONDS = 300;

function signature(secret: string, timestamp: string, body: Uint8Array): Buffer {
  return hmac("sha256", secret, `v0:${timestamp}:`, body);
}

/** Events API JSON, or the form body of slash commands and interactivity (payload=…). */
function parseBody(body: Uint8Array): unknown {
  const json = tryJson(body);
  if (json !== undefined) return json;
  const form = new URLSearchParams(lenientUtf8.decode(body));
  const payload = form.get("payload");
  if (payload) return tryJson(Buffer.from(payload));
  return Object.fromEntries(form);
}

export const slack: Provider = {
  name: "slack",
  summary:
    "HMAC-SHA256 of `v0:timestamp:body`, hex, in X-Slack-Signature; rejects timestamps over 5 minutes old",
  signatureHeaders: [SIGNATURE, TIMESTAMP],
  signsTimestamp: true,
  toleranceSeconds: TOLERANCE_SECONDS,
  // Slack: "respond to events with an HTTP 200 OK within three seconds".
  timeoutMs: 3_000,
  contentType: "application/json",

  sign({ body, secret, timestamp }) {
    const ts = String(Math.floor(timestamp.getTime() / 1000));
    return {
      "X-Slack-Signature": `v0=${signature(secret, ts, body).toString("hex")}`,
      "X-Slack-Request-Timestamp": ts,
    };
  },

  verify({ body, headers, secrets, now, toleranceSeconds }) {
    const sig = headers.get(SIGNATURE);
    if (sig === null) return missingHeader("X-Slack-Signature");
    const ts = headers.get(TIMESTAMP);
    if (ts === null) return missingHeader("X-Slack-Request-Timestamp");
    if (!/^\d+$/.test(ts)) return malformedHeader("X-Slack-Request-Timestamp", "it is not unix seconds");
    if (!sig.startsWith("v0=")) return malformedHeader("X-Slack-Signature", "it must start with v0=");
    const given = hexBytes(sig.slice(3));
    if (!given) return malformedHeader("X-Slack-Signature", "after v0= comes a hex digest");
    if (secrets.length === 0) return noSecret();
    if (!secrets.some((secret) => anyEqual(signature(secret, ts, body), [given]))) {
      return noMatch(
        "use the app's Signing Secret (Basic Information), not the bot token or the verification token",
      );
    }
    return checkTimestamp(Number(ts), now, toleranceSeconds ?? TOLERANCE_SECONDS, false);
  },

  describe(body) {
    const event = parseBody(body);
    const inner = field(event, "event", "type");
    return {
      type: inner ?? field(event, "type") ?? field(event, "command"),
      id: field(event, "event_id") ?? field(event, "trigger_id"),
    };
  },

  checkSecret(secret) {
    if (/^xox[abposr]-/.test(secret))
      return "that is a Slack token; the Signing Secret is under Basic Information";
    return undefined;
  },

  handshake(request: ReceivedRequest): HandshakeAnswer | undefined {
    // Handshakes are POSTs. A GET that merely looks like one must not pass as an unsigned handshake.
    if (request.method !== "POST") return undefined;
    // Slack's certificate check: a signed-less POST with ssl_check=1 that only wants a 200.
    if (new URLSearchParams(lenientUtf8.decode(request.body)).get("ssl_check") === "1") {
      return { status: 200, headers: { "content-type": "text/plain" }, body: "" };
    }
    const body = tryJson(request.body);
    const challenge = field(body, "challenge");
    if (field(body, "type") !== "url_verification" || challenge === undefined) return undefined;
    return { status: 200, headers: { "content-type": "text/plain" }, body: challenge };
  },
};
