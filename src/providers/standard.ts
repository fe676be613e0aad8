import { randomUUID } from "node:crypto";
import { anyEqual, field, hmac, tryJson, unixSeconds } from "./crypto.js";
import type { Provider, Verdict, VerifyInput } from "./types.js";
import { checkTimestamp, malformedHeader, missingHeader, noMatch, noSecret } from "./verdict.js";

/** standardwebhooks' WEBHOOK_TOLERANCE_IN_SECONDS, applied in both directions. */
const TOLERANCE_SECONDS = 300;

/** The secret is base64 after an optional whsec_ prefix; the decoded bytes are the HMAC key. */
function standardKey(secret: string): Buffer {
  return Buffer.from(secret.startsWith("whsec_") ? secret.slice(6) : secret, "base64");
}

function signature(secret: string, id: string, timestamp: string, body: Uint8Array): Buffer {
  return hmac("sha256", standardKey(secret), `${id}.${timestamp}.`, body);
}

/** svix-* wins over webhook-*, as in the svix SDK, so a Svix sender works unchanged. */
function read(headers: Headers, part: string): { name: string; value: string } | undefined {
  for (const prefix of ["svix", "webhook"]) {
    const value = headers.get(`${prefix}-${part}`);
    if (value !== null) return { name: `${prefix}-${part}`, value };
  }
  return undefined;
}

/** The `v1,<base64>` entries of the space-separated list; other versions (v1a, v2) are skipped. */
function v1Signatures(value: string): Buffer[] {
  return value
    .split(" ")
    .map((entry) => entry.split(","))
    .filter(([version, sig]) => version === "v1" && sig)
    .map(([, sig]) => Buffer.from(sig ?? "", "base64"));
}

function verifyStandard({ body, headers, secrets, now, toleranceSeconds }: VerifyInput): Verdict {
  const id = read(headers, "id");
  const ts = read(headers, "timestamp");
  const sig = read(headers, "signature");
  if (!id) return missingHeader("webhook-id (or svix-id)");
  if (!ts) return missingHeader("webhook-timestamp (or svix-timestamp)");
  if (!sig) return missingHeader("webhook-signature (or svix-signature)");
  if (!/^\d+$/.test(ts.value)) return malformedHeader(ts.name, "it is not unix seconds");
  const given = v1Signatures(sig.value);
  if (given.length === 0) return malformedHeader(sig.name, 'no "v1,<base64>" signature in it');
  if (secrets.length === 0) return noSecret();
  const matched = secrets.some((secret) => anyEqual(signature(secret, id.value, ts.value, body), given));
  if (!matched) return noMatch(secretHint(secrets));
  return checkTimestamp(Number(ts.value), now, toleranceSeconds ?? TOLERANCE_SECONDS, true);
}

function secretHint(secrets: string[]): string | undefined {
  if (secrets.every((s) => s.startsWith("whsec_"))) return undefined;
  return "a Standard Webhooks secret is whsec_ followed by base64; copy it whole from the sender";
}

function checkSecret(secret: string): string | undefined {
  const key = secret.startsWith("whsec_") ? secret.slice(6) : secret;
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(key)) return "the secret should be whsec_ followed by base64";
  return undefined;
}

function makeProvider(name: "standard" | "svix"): Provider {
  const prefix = name === "svix" ? "svix" : "webhook";
  return {
    name,
    summary:
      name === "svix"
        ? "Standard Webhooks signed with svix-* headers (Svix's own names); verifies either"
        : "HMAC-SHA256 of `id.timestamp.body` with the base64 whsec_ key; webhook-* or svix-* headers; 5 minutes either way",
    // Both spellings: the verifier reads either (svix-* first), so an old svix-signature left next to a
    // fresh webhook-signature would be the one checked, and fail.
    signatureHeaders: ["svix", "webhook"].flatMap((p) => [`${p}-id`, `${p}-timestamp`, `${p}-signature`]),
    signsTimestamp: true,
    toleranceSeconds: TOLERANCE_SECONDS,
    // Svix gives an endpoint 15 seconds to answer before the attempt counts as failed.
    timeoutMs: 15_000,
    contentType: "application/json",

    sign({ body, secret, timestamp, deliveryId }) {
      const id = deliveryId ?? `msg_${randomUUID().replaceAll("-", "")}`;
      const ts = String(unixSeconds(timestamp));
      return {
        [`${prefix}-id`]: id,
        [`${prefix}-timestamp`]: ts,
        [`${prefix}-signature`]: `v1,${signature(secret, id, ts, body).toString("base64")}`,
      };
    },

    verify: verifyStandard,

    describe(body, headers) {
      const event = tryJson(body);
      const deliveryId = read(headers, "id")?.value;
      // webhook-id is the spec's idempotency key: it stays the same when the sender retries.
      return { type: field(event, "type") ?? field(event, "eventType"), id: deliveryId, deliveryId };
    },

    checkSecret,
  };
}

export const standard = makeProvider("standard");
export const svix = makeProvider("svix");
