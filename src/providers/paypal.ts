import {
  createPrivateKey,
  randomUUID,
  sign as rsaSign,
  verify as rsaVerify,
  X509Certificate,
} from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { crc32 } from "node:zlib";
import { errorMessage, UsageError } from "../errors.js";
import { field, tryJson } from "./crypto.js";
import { ensureTestKeys, testKeyPaths } from "./paypal-cert.js";
import type { Provider, ProviderOptions, SignInput, Verdict, VerifyInput } from "./types.js";
import { malformedHeader, missingHeader, valid } from "./verdict.js";

const H = {
  id: "paypal-transmission-id",
  time: "paypal-transmission-time",
  sig: "paypal-transmission-sig",
  certUrl: "paypal-cert-url",
  algo: "paypal-auth-algo",
};

/** PayPal's signed message: `id|time|webhookId|crc32(body)` with the CRC as an unsigned decimal. */
export function paypalMessage(id: string, time: string, webhookId: string, body: Uint8Array): string {
  return `${id}|${time}|${webhookId}|${crc32(body) >>> 0}`;
}

/** "SHA256withRSA" (what PayPal sends) or a bare "sha256" (as in PayPal's SDK samples) -> "sha256". */
function digestOf(algo: string): string | undefined {
  const match = /^sha(1|224|256|384|512)(withrsa)?$/i.exec(algo.trim());
  return match ? `sha${match[1]}` : undefined;
}

/**
 * A PEM file parsed, or a UsageError naming the flag and why: the file system's code (ENOENT, EACCES)
 * or "not a PEM <what>" (OpenSSL's own codes, ERR_OSSL_PEM_NO_START_LINE, tell a person nothing).
 */
function loadPem<T>(flag: string, file: string, what: string, parse: (pem: Buffer) => T, hint?: string): T {
  let pem: Buffer;
  try {
    pem = readFileSync(file);
  } catch (error) {
    throw new UsageError(`${flag}: cannot use ${file}: ${(error as NodeJS.ErrnoException).code}`, hint);
  }
  try {
    return parse(pem);
  } catch {
    throw new UsageError(`${flag}: cannot use ${file}: not a PEM ${what}`, hint);
  }
}

const loadCertificate = (file: string) =>
  loadPem(
    "--cert",
    file,
    "certificate",
    (pem) => new X509Certificate(pem),
    "the PEM certificate PAYPAL-CERT-URL points to",
  );

function verifyWith(cert: X509Certificate | undefined, webhookId: string, input: VerifyInput): Verdict {
  const get = (name: string) => input.headers.get(name);
  const id = get(H.id);
  if (id === null) return missingHeader("PAYPAL-TRANSMISSION-ID");
  const time = get(H.time);
  if (time === null) return missingHeader("PAYPAL-TRANSMISSION-TIME");
  const sig = get(H.sig);
  if (sig === null) return missingHeader("PAYPAL-TRANSMISSION-SIG");
  const algo = get(H.algo) ?? "SHA256withRSA";
  const digest = digestOf(algo);
  if (!digest) return malformedHeader("PAYPAL-AUTH-ALGO", `"${algo}" is not SHAnnnwithRSA`);
  if (!cert) {
    return {
      ok: false,
      code: "no-secret",
      reason: "no certificate to check PayPal's RSA signature with",
      hint: "download the PEM from PAYPAL-CERT-URL and pass it with --cert (hook never fetches it)",
    };
  }
  const message = paypalMessage(id, time, webhookId, input.body);
  if (rsaVerify(digest, Buffer.from(message), cert.publicKey, Buffer.from(sig, "base64"))) return valid;
  return {
    ok: false,
    code: "no-match",
    reason: "no signature matches",
    hint: `the message signed is id|time|webhook id|crc32(body); check --webhook-id (${webhookId}) and that --cert is the one PAYPAL-CERT-URL names; the body may have been changed in transit`,
  };
}

/** Signs with --private-key/--cert, or with the generated local test pair under <data dir>/paypal/. */
function signWith(options: ProviderOptions, webhookId: string, input: SignInput): Record<string, string> {
  // The certificate named in PAYPAL-CERT-URL must be the signing key's: the generated one for the test
  // key, made at the real time, not the signing time (a --timestamp in the past must not expire it).
  const { keyPath: keyFile, certPath: certFile } = options.keyFile
    ? { keyPath: options.keyFile, certPath: options.certFile }
    : ensureTestKeys(options.dataDir, new Date());
  const key = loadPem("--private-key", keyFile, "private key", createPrivateKey);
  const id = input.deliveryId ?? randomUUID();
  // PayPal's transmission time has no milliseconds: 2015-05-18T15:45:13Z.
  const time = `${input.timestamp.toISOString().slice(0, -5)}Z`;
  const signature = rsaSign("sha256", Buffer.from(paypalMessage(id, time, webhookId, input.body)), key);
  const headers: Record<string, string> = {
    "PAYPAL-TRANSMISSION-ID": id,
    "PAYPAL-TRANSMISSION-TIME": time,
    "PAYPAL-TRANSMISSION-SIG": signature.toString("base64"),
    "PAYPAL-AUTH-ALGO": "SHA256withRSA",
  };
  // A local file URL: an app that fetches the certificate must not be sent to PayPal for a test key.
  if (certFile) headers["PAYPAL-CERT-URL"] = pathToFileURL(certFile).href;
  return headers;
}

export function paypalProvider(options: ProviderOptions = {}): Provider {
  const webhookId = options.webhookId ?? "";
  let cert: X509Certificate | undefined;
  const certificate = () => {
    const file = options.certFile ?? testKeyPaths(options.dataDir).certPath;
    if (!cert && (options.certFile || existsSync(file))) cert = loadCertificate(file);
    return cert;
  };
  return {
    name: "paypal",
    summary: "RSA SHA256withRSA over `id|time|webhook id|crc32(body)`; verify needs --cert and --webhook-id",
    signatureHeaders: Object.values(H),
    signsTimestamp: false,
    usesSecret: false,
    // PayPal does not publish its deadline; 10 seconds keeps to the common budget.
    timeoutMs: 10_000,
    contentType: "application/json",
    sign: (input) => signWith(options, webhookId, input),
    verify(input) {
      try {
        return verifyWith(certificate(), webhookId, input);
      } catch (error) {
        // A signature or key OpenSSL cannot even parse is a bad request, not a crash.
        return {
          ok: false,
          code: "malformed-header",
          reason: `cannot check the signature: ${errorMessage(error)}`,
        };
      }
    },
    describe(body, headers) {
      const event = tryJson(body);
      return {
        type: field(event, "event_type"),
        id: field(event, "id"),
        deliveryId: headers.get(H.id) ?? undefined,
      };
    },
  };
}

/** Checked by getProvider before a paypal provider is made: both sides need the webhook id. */
export function paypalCheck(options: ProviderOptions): void {
  if (!options.webhookId) {
    throw new UsageError(
      "--webhook-id is required for provider paypal",
      "it is part of the signed message: the webhook's ID in the PayPal developer dashboard",
    );
  }
  if (options.certFile) loadCertificate(options.certFile);
}
