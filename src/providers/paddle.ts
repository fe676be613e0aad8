import { anyEqual, field, hexBytes, hmac, tryJson, unixSeconds } from "./crypto.js";
import type { Provider, Verdict, VerifyInput } from "./types.js";
import { checkTimestamp, malformedHeader, missingHeader, noMatch, noSecret } from "./verdict.js";

const HEADER = "paddle-signature";
/** The SDK's MAX_VALID_TIME_DIFFERENCE: 5 seconds, past only. */
const TOLERANCE_SECONDS = 5;

function signature(secret: string, ts: string, body: Uint8Array): Buffer {
  return hmac("sha256", secret, `${ts}:`, body);
}

function parse(value: string): { ts: string; h1: string[] } | string {
  let ts: string | undefined;
  const h1: string[] = [];
  for (const part of value.split(";")) {
    const [key, val = ""] = part.trim().split("=", 2);
    if (key === "ts") ts = val;
    if (key === "h1" && val) h1.push(val);
  }
  if (ts === undefined || !/^\d+$/.test(ts)) return "no ts=<unix seconds>";
  if (h1.length === 0) return "no h1=<hex> signature";
  return { ts, h1 };
}

/**
 * The SDK keeps only the last h1; we accept any of them, because Paddle sends one per active secret
 * while a secret is being rotated, and which one comes last is not documented.
 */
function verifyPaddle({ body, headers, secrets, now, toleranceSeconds }: VerifyInput): Verdict {
  const value = headers.get(HEADER);
  if (value === null) return missingHeader("Paddle-Signature");
  const parsed = parse(value);
  if (typeof parsed === "string") return malformedHeader("Paddle-Signature", parsed);
  const given = parsed.h1.map(hexBytes).filter((b): b is Buffer => b !== undefined);
  if (given.length === 0) return malformedHeader("Paddle-Signature", "h1 is not hex");
  if (secrets.length === 0) return noSecret();
  if (!secrets.some((secret) => anyEqual(signature(secret, parsed.ts, body), given))) {
    return noMatch("the secret is the notification destination's secret key (pdl_ntfset_…), not the API key");
  }
  return checkTimestamp(Number(parsed.ts), now, toleranceSeconds ?? TOLERANCE_SECONDS, false);
}

export const paddle: Provider = {
  name: "paddle",
  summary: "HMAC-SHA256 of `ts:body`, hex, as h1 in Paddle-Signature; rejects timestamps over 5 seconds old",
  signatureHeaders: [HEADER],
  signsTimestamp: true,
  toleranceSeconds: TOLERANCE_SECONDS,
  // Paddle: "respond within five seconds" or the delivery counts as failed and is retried.
  timeoutMs: 5_000,
  contentType: "application/json",

  sign({ body, secret, timestamp }) {
    const ts = String(unixSeconds(timestamp));
    return { "Paddle-Signature": `ts=${ts};h1=${signature(secret, ts, body).toString("hex")}` };
  },

  verify: verifyPaddle,

  describe(body) {
    const event = tryJson(body);
    return {
      type: field(event, "event_type"),
      id: field(event, "event_id") ?? field(event, "notification_id"),
    };
  },

  checkSecret(secret) {
    if (/^pdl_(live|sdbx)_apikey_/.test(secret)) {
      return "that is a Paddle API key; the webhook secret is the notification destination's secret key";
    }
    return undefined;
  },
};
