import { lenientUtf8 } from "../utf8.js";
import { type HmacAlgorithm, hexBytes, hmac, safeEqual } from "./crypto.js";
import type { HandshakeAnswer, Provider, ProviderOptions, ReceivedRequest } from "./types.js";
import { malformedHeader, missingHeader, noMatch, noSecret, valid } from "./verdict.js";

const HEADER = "x-hub-signature";
export const METHODS: readonly HmacAlgorithm[] = ["sha1", "sha256", "sha384", "sha512"];

/** The first element's text in an Atom entry, without an XML parser: describe() must never throw. */
function tag(xml: string, name: string): string | undefined {
  return new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml)?.[1]?.trim() || undefined;
}

export function websubProvider(options: ProviderOptions = {}): Provider {
  // Google's hub (YouTube) signs with SHA-1 only; --algorithm picks another of the spec's names.
  const method = (options.algorithm ?? "sha1").toLowerCase() as HmacAlgorithm;
  return {
    name: "websub",
    summary:
      "HMAC of the body with hub.secret, `method=hex` in X-Hub-Signature (sha1..sha512); answers hub.challenge",
    signatureHeaders: [HEADER],
    signsTimestamp: false,
    // The WebSub spec sets no deadline; 10 seconds is what hubs commonly allow.
    timeoutMs: 10_000,
    contentType: "application/atom+xml",

    sign({ body, secret }) {
      return { "X-Hub-Signature": `${method}=${hmac(method, secret, body).toString("hex")}` };
    },

    verify({ body, headers, secrets }) {
      const value = headers.get(HEADER);
      if (value === null) return missingHeader("X-Hub-Signature");
      const [name = "", hex = ""] = value.split("=", 2);
      const algorithm = METHODS.find((m) => m === name.toLowerCase());
      if (!algorithm)
        return malformedHeader("X-Hub-Signature", `method "${name}" is not sha1, sha256, sha384 or sha512`);
      const given = hexBytes(hex);
      if (!given) return malformedHeader("X-Hub-Signature", `after ${name}= comes a hex digest`);
      if (secrets.length === 0) return noSecret();
      if (secrets.some((secret) => safeEqual(hmac(algorithm, secret, body), given))) return valid;
      return noMatch("the secret is the hub.secret sent with the subscription request");
    },

    describe(body) {
      const xml = lenientUtf8.decode(body);
      const videoId = tag(xml, "yt:videoId");
      if (videoId) return { type: "video", id: videoId };
      if (xml.includes("<at:deleted-entry")) {
        return { type: "deleted", id: /ref="([^"]*)"/.exec(xml)?.[1] };
      }
      return { type: tag(xml, "title") ? "entry" : undefined, id: tag(xml, "id") };
    },

    handshake(request: ReceivedRequest): HandshakeAnswer | undefined {
      if (request.method !== "GET") return undefined;
      const query = new URL(request.url, "http://localhost").searchParams;
      const mode = query.get("hub.mode");
      const challenge = query.get("hub.challenge");
      // "denied" carries no challenge: the hub refused; a 200 acknowledges it.
      const text = { "content-type": "text/plain" };
      if (mode === "denied") return { status: 200, headers: text, body: "", unsigned: true };
      if ((mode !== "subscribe" && mode !== "unsubscribe") || challenge === null) return undefined;
      // The spec's GET carries no signature: the hub proves nothing, it only asks.
      return { status: 200, headers: text, body: challenge, unsigned: true };
    },
  };
}
