import { createHash } from "node:crypto";
import { UsageError } from "../errors.js";
import { lenientUtf8 } from "../utf8.js";
import { anyEqual, hmac, safeEqual } from "./crypto.js";
import { twilioUrlVariants } from "./twilio-url.js";
import type { Provider, ProviderOptions, SignInput, Verdict, VerifyInput } from "./types.js";
import { malformedHeader, missingHeader, noMatch, noSecret, valid } from "./verdict.js";

const SIGNATURE = "x-twilio-signature";
const SETTINGS = "x-twilio-webhooks-signature-settings";

type Params = Map<string, string[]>;

/** Form fields; repeated keys become a list, as Express's urlencoded parser makes them. */
function formParams(body: Uint8Array): Params {
  const params: Params = new Map();
  for (const [key, value] of new URLSearchParams(lenientUtf8.decode(body))) {
    params.set(key, [...(params.get(key) ?? []), value]);
  }
  return params;
}

/** twilio-node's getExpectedTwilioSignature: URL, then each sorted key with its (deduped, sorted) values. */
function twilioSignature(token: string, url: string, params: Params, algorithm: "sha1" | "sha256"): Buffer {
  let data = url;
  // Default sort = UTF-16 code units, case-sensitive, exactly as the SDK's Object.keys().sort().
  for (const key of [...params.keys()].sort()) {
    for (const value of [...new Set(params.get(key))].sort()) data += key + value;
  }
  return hmac(algorithm, token, Buffer.from(data, "utf8"));
}

function bodyHash(body: Uint8Array): string {
  return createHash("sha256").update(body).digest("hex");
}

/** A JSON (or any non-form) body is signed through the URL's bodySHA256 parameter instead. */
function bodyShaParam(url: string): string | null {
  try {
    return new URL(url).searchParams.get("bodySHA256");
  } catch {
    return null;
  }
}

const HASHES = new Map<string, "sha1" | "sha256">([
  ["HMAC_SHA1", "sha1"],
  ["HMAC_SHA256", "sha256"],
]);

/** twilio-node's getSignatureAlgorithm: the first non-empty `algorithm=`; none means HMAC_SHA1. */
function algorithmFrom(settings: string | null): "sha1" | "sha256" | undefined {
  for (const part of (settings ?? "").split(",")) {
    const at = part.indexOf("=");
    const value = part.slice(at + 1).trim();
    if (at !== -1 && part.slice(0, at).trim() === "algorithm" && value) {
      return HASHES.get(value.toUpperCase());
    }
  }
  return "sha1";
}

function verifyTwilio({ body, headers, secrets, url }: VerifyInput): Verdict {
  const sig = headers.get(SIGNATURE);
  if (sig === null) return missingHeader("X-Twilio-Signature");
  const algorithm = algorithmFrom(headers.get(SETTINGS));
  if (!algorithm) return malformedHeader("X-Twilio-Webhooks-Signature-Settings", "unknown algorithm");
  if (!url) {
    return {
      ok: false,
      code: "no-match",
      reason: "Twilio signs the full URL it called, and it is not known here",
      hint: "pass --url with the public URL configured in Twilio (hook listen passes its tunnel URL)",
    };
  }
  if (secrets.length === 0) return noSecret();
  const given = Buffer.from(sig, "base64");
  const withBody = bodyShaParam(url);
  if (withBody !== null && !safeEqual(withBody, bodyHash(body))) {
    return {
      ok: false,
      code: "no-match",
      reason: "the body's SHA-256 differs from the URL's bodySHA256 parameter",
    };
  }
  const params = withBody !== null ? new Map() : formParams(body);
  const candidates = twilioUrlVariants(url);
  const matched = secrets.some((token) =>
    candidates.some((candidate) => anyEqual(twilioSignature(token, candidate, params, algorithm), [given])),
  );
  if (matched) return valid;
  return noMatch(
    "the URL must be exactly the one configured in Twilio (scheme, host, path and query); the secret is the Auth Token, or the SharedKey when X-Twilio-Webhooks-Signature-Settings is sent",
  );
}

function signTwilio({ body, secret, url }: SignInput, algorithm: "sha1" | "sha256"): Record<string, string> {
  if (!url)
    throw new UsageError(
      "twilio signs the full URL: pass --url",
      "the URL Twilio would call, with its query",
    );
  const withBody = bodyShaParam(url);
  const looksJson = /^\s*[[{]/.test(lenientUtf8.decode(body.subarray(0, 64)));
  if (looksJson && withBody === null) {
    const separator = url.includes("?") ? "&" : "?";
    throw new UsageError(
      "twilio signs a JSON body through the URL's bodySHA256 parameter, and --url has none",
      `send it to ${url}${separator}bodySHA256=${bodyHash(body)}`,
    );
  }
  const params = withBody !== null ? new Map() : formParams(body);
  const signature = twilioSignature(secret, url, params, algorithm).toString("base64");
  if (algorithm === "sha1") return { "X-Twilio-Signature": signature };
  // A SharedKey webhook: Twilio names the key and the algorithm; the key name is ours, for tests.
  return {
    "X-Twilio-Signature": signature,
    "X-Twilio-Webhooks-Signature-Settings": "key=hook_test,algorithm=HMAC_SHA256",
  };
}

/** --algorithm sha256 signs as a SharedKey (Webhooks Rule) delivery would be; verify reads the header. */
export function twilioProvider(options: ProviderOptions = {}): Provider {
  const algorithm = options.algorithm?.toLowerCase() === "sha256" ? "sha256" : "sha1";
  return { ...twilio, sign: (input) => signTwilio(input, algorithm) };
}

const twilio: Provider = {
  name: "twilio",
  summary:
    "HMAC-SHA1 (or SHA-256) of the URL plus sorted form fields with the Auth Token, base64; needs --url",
  signatureHeaders: [SIGNATURE, SETTINGS],
  signsTimestamp: false,
  // Twilio waits 15 seconds for a webhook answer by default (its connection overrides can shorten it).
  timeoutMs: 15_000,
  contentType: "application/x-www-form-urlencoded",
  sign: (input) => signTwilio(input, "sha1"),
  verify: verifyTwilio,

  describe(body) {
    const params = new URLSearchParams(lenientUtf8.decode(body));
    const id = ["MessageSid", "CallSid", "SmsSid", "Sid"].map((k) => params.get(k)).find(Boolean);
    const type =
      params.get("MessageStatus") ?? params.get("CallStatus") ?? params.get("EventType") ?? undefined;
    return { type: type ?? undefined, id: id ?? undefined };
  },
};
