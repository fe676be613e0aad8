import { UsageError } from "../errors.js";
import { field, hexBytes, hmac as mac, safeEqual, tryJson } from "./crypto.js";
import type { Provider, ProviderOptions } from "./types.js";
import { malformedHeader, missingHeader, noMatch, noSecret, valid } from "./verdict.js";

const ALGORITHMS = ["sha1", "sha256", "sha512"] as const;
const ENCODINGS = ["hex", "base64"] as const;
type Algorithm = (typeof ALGORITHMS)[number];
type Encoding = (typeof ENCODINGS)[number];

interface Shape {
  header: string;
  algorithm: Algorithm;
  encoding: Encoding;
  prefix: string;
}

/** The shape from the flags; a wrong or missing one is the user's mistake, named by its flag. */
export function hmacShape(options: ProviderOptions): Shape {
  if (!options.signatureHeader) {
    throw new UsageError(
      "--signature-header is required for provider hmac",
      "for example --signature-header X-Signature",
    );
  }
  const algorithm = (options.algorithm ?? "sha256").toLowerCase();
  if (!ALGORITHMS.includes(algorithm as Algorithm)) {
    throw new UsageError(`--algorithm: "${options.algorithm}" is not one of ${ALGORITHMS.join(", ")}`);
  }
  const encoding = (options.encoding ?? "hex").toLowerCase();
  if (!ENCODINGS.includes(encoding as Encoding)) {
    throw new UsageError(`--encoding: "${options.encoding}" is not one of ${ENCODINGS.join(", ")}`);
  }
  return {
    header: options.signatureHeader,
    algorithm: algorithm as Algorithm,
    encoding: encoding as Encoding,
    prefix: options.prefix ?? "",
  };
}

/** Decoded signature bytes: hex is case-insensitive; base64 is compared as bytes, padding and all. */
function decode(text: string, encoding: Encoding): Buffer | undefined {
  if (encoding === "hex") return hexBytes(text);
  return /^[A-Za-z0-9+/_-]+={0,2}$/.test(text) ? Buffer.from(text, "base64") : undefined;
}

export function hmacProvider(options: ProviderOptions): Provider {
  // `hook providers` lists hmac without a shape: sign and verify then ask for the flags.
  const shape = () => hmacShape(options);
  const header = options.signatureHeader;
  return {
    name: "hmac",
    summary:
      "generic HMAC (sha1|sha256|sha512, hex|base64, optional prefix) of the body in --signature-header",
    signatureHeaders: header ? [header.toLowerCase()] : [],
    signsTimestamp: false,
    timeoutMs: 10_000,
    contentType: "application/json",

    sign({ body, secret }) {
      const s = shape();
      return { [s.header]: s.prefix + mac(s.algorithm, secret, body).toString(s.encoding) };
    },

    verify({ body, headers, secrets }) {
      const s = shape();
      const value = headers.get(s.header);
      if (value === null) return missingHeader(s.header);
      if (!value.startsWith(s.prefix))
        return malformedHeader(s.header, `it does not start with "${s.prefix}"`);
      const given = decode(value.slice(s.prefix.length).trim(), s.encoding);
      if (!given) return malformedHeader(s.header, `the signature is not ${s.encoding}`);
      if (secrets.length === 0) return noSecret();
      if (secrets.some((secret) => safeEqual(mac(s.algorithm, secret, body), given))) return valid;
      return noMatch(
        `check --algorithm (${s.algorithm}), --encoding (${s.encoding}) and --prefix against the sender's docs`,
      );
    },

    describe(body) {
      const event = tryJson(body);
      return { type: field(event, "type") ?? field(event, "event"), id: field(event, "id") };
    },
  };
}
