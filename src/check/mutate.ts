import type { Provider } from "../providers/types.js";
import type { OutgoingRequest } from "../replay/build.js";
import { applyEdits } from "../replay/edit.js";
import type { LoadedFixture } from "../store/fixture-reader.js";
import type { CheckProfile } from "./profiles.js";

/**
 * A body changed after signing. JSON: one extra top-level key (so a parser still accepts it and
 * only the signature can tell). LiqPay: the amount inside `data` (its signature covers only that).
 * Other forms: one extra field. Anything else: one extra byte.
 */
export function tamper(req: OutgoingRequest, provider: Provider): OutgoingRequest {
  const type = req.headers["content-type"];
  const attempts: [string, unknown][] = provider.signBody ? [["data.amount", 1]] : [["hook_tampered", true]];
  for (const [path, value] of attempts) {
    try {
      const body = applyEdits(req.body, type, [{ text: path, path: path.split("."), value }]);
      return { ...req, body };
    } catch {
      // not editable this way: fall through to the raw change
    }
  }
  return { ...req, body: Buffer.concat([req.body, Buffer.from("\n")]) };
}

/** The request without its signature: the provider's signature headers, or LiqPay's signature field. */
export function stripSignature(req: OutgoingRequest, provider: Provider): OutgoingRequest {
  const headers = { ...req.headers };
  for (const name of provider.signatureHeaders) delete headers[name.toLowerCase()];
  if (!provider.signBody) return { ...req, headers };
  const form = Buffer.from(req.body).toString("utf8").split("&");
  const body = Buffer.from(form.filter((pair) => !pair.startsWith("signature=")).join("&"));
  return { ...req, headers, body };
}

/** A correctly signed body that does not parse: cut-off JSON, or the provider's own kind of broken. */
export function malformed(fixture: LoadedFixture, profile: CheckProfile): LoadedFixture | undefined {
  if (profile.noMalformed) return undefined;
  const text = profile.malformed?.() ?? '{"id": "evt_hook_check_malformed", "type": "hook.check", "data": {';
  return { ...fixture, body: Buffer.from(text) };
}

/**
 * A secret of the same shape that is not the right one: letters and digits after the prefix
 * shifted by one, so a whsec_ base64 secret stays valid base64 and the provider can still sign.
 */
export function wrongSecret(secret: string): string {
  const prefix = /^[a-z]+_/i.exec(secret)?.[0] ?? "";
  const rest = secret.slice(prefix.length).replace(/[a-zA-Z0-9]/g, (c) => {
    if (c === "z") return "a";
    if (c === "Z") return "A";
    if (c === "9") return "0";
    return String.fromCharCode(c.charCodeAt(0) + 1);
  });
  const wrong = prefix + rest;
  return wrong === secret ? `${secret}x` : wrong;
}
