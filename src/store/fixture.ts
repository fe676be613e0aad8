import { strictUtf8 } from "../utf8.js";

/** The fixture file format (README "Fixture format"). Bodies are exact: text, or base64 when not UTF-8. */
interface FixtureRequest {
  method: string;
  /** Path and query: "/webhooks/stripe?x=1". */
  path: string;
  headers: Record<string, string>;
  /** The exact body text, when it is valid UTF-8. */
  body?: string;
  /** The exact body bytes, base64, when it is not. */
  bodyBase64?: string;
}

export interface Fixture {
  hook: 1;
  provider: string;
  event?: string;
  id?: string;
  request: FixtureRequest;
  receivedAt?: string;
  /** listen --save: the signature did not verify (and why). */
  verification?: { ok: boolean; reason?: string };
}

/** `body` when the bytes are valid UTF-8 (they round-trip exactly), else `bodyBase64`. */
export function encodeBody(body: Uint8Array): Pick<FixtureRequest, "body" | "bodyBase64"> {
  try {
    return { body: strictUtf8.decode(body) };
  } catch {
    return { bodyBase64: Buffer.from(body).toString("base64") };
  }
}
