import { anyEqual, field, hmac, tryJson, unixSeconds } from "./crypto.js";
import type { Provider } from "./types.js";
import { checkTimestamp, malformedHeader, missingHeader, noMatch, noSecret } from "./verdict.js";

const HEADER = "stripe-signature";
/** stripe-node's DEFAULT_TOLERANCE. */
const TOLERANCE_SECONDS = 300;

function signature(secret: string, timestamp: number, body: Uint8Array): string {
  // The key is the whole "whsec_…" string as UTF-8, not decoded: that is what stripe-node does.
  return hmac("sha256", secret, `${timestamp}.`, body).toString("hex");
}

function parseHeader(value: string): { timestamp: number; signatures: string[] } | string {
  let timestamp = Number.NaN;
  const signatures: string[] = [];
  for (const item of value.split(",")) {
    const [key, val] = item.trim().split("=", 2);
    if (key === "t") timestamp = Number.parseInt(val ?? "", 10);
    // Only v1 counts; v0 is a fake scheme for test mode and must be ignored to prevent downgrades.
    if (key === "v1" && val) signatures.push(val);
  }
  if (!Number.isFinite(timestamp)) return "no t= timestamp";
  if (signatures.length === 0) return "no v1= signature";
  return { timestamp, signatures };
}

export const stripe: Provider = {
  name: "stripe",
  summary: "HMAC-SHA256 of `t.body` with the whsec_ secret, hex; rejects timestamps older than 5 minutes",
  signatureHeaders: [HEADER],
  signsTimestamp: true,
  toleranceSeconds: TOLERANCE_SECONDS,
  // Stripe gives up on an endpoint that has not answered within about 10 seconds.
  timeoutMs: 10_000,
  contentType: "application/json; charset=utf-8",

  sign({ body, secret, timestamp }) {
    const t = unixSeconds(timestamp);
    return { "Stripe-Signature": `t=${t},v1=${signature(secret, t, body)}` };
  },

  verify({ body, headers, secrets, now, toleranceSeconds }) {
    const header = headers.get(HEADER);
    if (!header) return missingHeader("Stripe-Signature");
    const parsed = parseHeader(header);
    if (typeof parsed === "string") return malformedHeader("Stripe-Signature", parsed);
    if (secrets.length === 0) return noSecret();
    // Several v1 values (during a secret roll) and several secrets (our rotation): any pair may match.
    const matched = secrets.some((secret) =>
      anyEqual(signature(secret, parsed.timestamp, body), parsed.signatures),
    );
    if (!matched) return noMatch(secrets.map(secretHint).find(Boolean));
    return checkTimestamp(parsed.timestamp, now, toleranceSeconds ?? TOLERANCE_SECONDS, false);
  },

  describe(body) {
    const event = tryJson(body);
    return { type: field(event, "type"), id: field(event, "id") };
  },

  checkSecret: secretHint,
};

function secretHint(secret: string): string | undefined {
  if (/^(sk|rk|pk)_(test|live)_/.test(secret)) {
    return "that is a Stripe API key; the webhook signing secret starts with whsec_ (Dashboard > Webhooks, or `stripe listen` prints it)";
  }
  if (!secret.startsWith("whsec_")) return "a Stripe webhook signing secret starts with whsec_";
  return undefined;
}
