import { createHash } from "node:crypto";
import { lenientUtf8 } from "../utf8.js";
import { field, safeEqual, tryJson } from "./crypto.js";
import type { Provider, SignInput, Verdict } from "./types.js";
import { noMatch, noSecret, valid } from "./verdict.js";

function missingField(name: string): Verdict {
  return {
    ok: false,
    code: "missing-header",
    reason: `the body has no ${name} field`,
    hint: "LiqPay posts a form: data=<base64 JSON>&signature=<base64 SHA-1>",
  };
}

/** base64(sha1(private_key + data + private_key)): a plain hash with the key on both sides, not an HMAC. */
export function liqpaySignature(privateKey: string, data: string): string {
  return createHash("sha1")
    .update(privateKey + data + privateKey)
    .digest("base64");
}

/** `data` as sent; base64 has no spaces, so a space is a `+` that the sender did not escape. */
function formFields(body: Uint8Array): { data?: string; signature?: string } {
  const form = new URLSearchParams(lenientUtf8.decode(body));
  const unspace = (value: string | null) => value?.replaceAll(" ", "+") ?? undefined;
  return { data: unspace(form.get("data")), signature: unspace(form.get("signature")) };
}

/** The JSON inside `data`, or the body itself when it is the bare JSON (a fixture's payload). */
function payload(body: Uint8Array): unknown {
  const { data } = formFields(body);
  if (data) return tryJson(Buffer.from(data, "base64"));
  return tryJson(body);
}

/**
 * The callback body with a fresh signature. The data field is kept as it was; a bare JSON payload is
 * base64-encoded into one, as LiqPay does.
 */
function signBody({ body, secret }: SignInput): Uint8Array {
  const existing = formFields(body).data;
  const data = existing ?? Buffer.from(body).toString("base64");
  const form = new URLSearchParams({ data, signature: liqpaySignature(secret, data) });
  return Buffer.from(form.toString());
}

export const liqpay: Provider = {
  name: "liqpay",
  summary:
    "form fields data + signature = base64(sha1(private_key + data + private_key)); the signature is in the body",
  signatureHeaders: [],
  signsTimestamp: false,
  // LiqPay documents no deadline for server_url callbacks; 10 seconds is a cautious budget.
  timeoutMs: 10_000,
  contentType: "application/x-www-form-urlencoded",

  // The signature lives in the body: see signBody.
  sign: () => ({}),
  signBody,

  verify({ body, secrets }) {
    const { data, signature } = formFields(body);
    if (!data) return missingField("data");
    if (!signature) return missingField("signature");
    if (secrets.length === 0) return noSecret();
    if (secrets.some((key) => safeEqual(liqpaySignature(key, data), signature))) return valid;
    return noMatch("the secret is the shop's private_key (not the public_key), from the LiqPay dashboard");
  },

  describe(body) {
    const event = payload(body);
    return {
      type: field(event, "status") ?? field(event, "action"),
      id: field(event, "order_id") ?? field(event, "payment_id"),
      deliveryId: field(event, "payment_id"),
    };
  },

  checkSecret(secret) {
    if (/^(i|sandbox_i)\d+$/.test(secret)) return "that is the public_key; the secret is the private_key";
    return undefined;
  },
};
