import { request } from "undici";
import { HookError } from "../errors.js";

/**
 * The one way registration talks to a provider's API. Kept to this function so the lead can switch it
 * over to the shared outgoing-HTTP mechanism (src/net/) in one place.
 */
export interface ApiRequest {
  method: "GET" | "POST" | "PATCH" | "DELETE";
  /** Full URL; may carry a credential (Telegram's bot token is in the path), so it is never quoted. */
  url: string;
  headers?: Record<string, string>;
  /** JSON body, sent as application/json. */
  json?: unknown;
  /** Form body, sent as application/x-www-form-urlencoded (Stripe, WebSub hubs, OAuth tokens). */
  form?: [string, string][];
}

export interface ApiAnswer {
  status: number;
  /** The parsed JSON answer, or undefined when it was empty or not JSON. */
  json: unknown;
  text: string;
}

/** Every call of a registration is over within this long: a hung API must not hold up Ctrl-C. */
export const CALL_TIMEOUT_MS = 10_000;
/** An API answer larger than this is not one we asked for. */
const MAX_ANSWER_BYTES = 1_000_000;

/** The API could not be reached at all: no status to explain. */
export class ApiUnreachable extends HookError {}

export async function callApi(req: ApiRequest, timeoutMs = CALL_TIMEOUT_MS): Promise<ApiAnswer> {
  const headers: Record<string, string> = { accept: "application/json", ...req.headers };
  let body: string | undefined;
  if (req.json !== undefined) {
    headers["content-type"] = "application/json";
    body = JSON.stringify(req.json);
  } else if (req.form) {
    headers["content-type"] = "application/x-www-form-urlencoded";
    body = new URLSearchParams(req.form).toString();
  }
  try {
    const res = await request(req.url, {
      method: req.method,
      headers,
      body,
      // One deadline for the whole call, body included.
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await readCapped(res.body);
    return { status: res.statusCode, json: parseJson(text), text };
  } catch (error) {
    const err = error as Error;
    const why =
      err.name === "TimeoutError" || err.name === "AbortError"
        ? `no answer within ${timeoutMs / 1000}s`
        : err.message;
    throw new ApiUnreachable(`cannot reach ${new URL(req.url).origin}: ${why}`, {
      hint: "check the network (and --api-base, if given)",
    });
  }
}

async function readCapped(body: AsyncIterable<Uint8Array>): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > MAX_ANSWER_BYTES) throw new Error(`the answer is larger than ${MAX_ANSWER_BYTES} bytes`);
    chunks.push(Buffer.from(chunk));
  }
  return Buffer.concat(chunks).toString("utf8");
}

function parseJson(text: string): unknown {
  if (text.trim() === "") return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
