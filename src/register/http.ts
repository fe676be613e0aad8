import { HookError } from "../errors.js";
import { HttpClient } from "../net/client.js";

/**
 * The one way registration talks to a provider's API, over the shared client (src/net/): so a
 * registration has the proxy settings, a total deadline, a cap on the answer and errors in words, as
 * every other outgoing call.
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
const CALL_TIMEOUT_MS = 10_000;
/** An API answer larger than this is not one we asked for. */
const MAX_ANSWER_BYTES = 1_000_000;

/** The API could not be reached at all: no status to explain. */
class ApiUnreachable extends HookError {}

/** One client per environment: its keep-alive connections serve every call of a run. */
const clients = new Map<Record<string, string | undefined>, HttpClient>();

function clientFor(env: Record<string, string | undefined>): HttpClient {
  let client = clients.get(env);
  if (!client) {
    client = new HttpClient({ env, connections: 4 });
    clients.set(env, client);
  }
  return client;
}

export async function callApi(
  req: ApiRequest,
  env: Record<string, string | undefined>,
  timeoutMs = CALL_TIMEOUT_MS,
): Promise<ApiAnswer> {
  const headers: Record<string, string> = { accept: "application/json", ...req.headers };
  let body: string | undefined;
  if (req.json !== undefined) {
    headers["content-type"] = "application/json";
    body = JSON.stringify(req.json);
  } else if (req.form) {
    headers["content-type"] = "application/x-www-form-urlencoded";
    body = new URLSearchParams(req.form).toString();
  }
  const url = new URL(req.url);
  const exchange = await clientFor(env).send(
    {
      origin: url.origin,
      path: `${url.pathname}${url.search}`,
      method: req.method,
      headers,
      body,
      peer: "api",
    },
    { deadlineMs: timeoutMs, maxBytes: MAX_ANSWER_BYTES },
  );
  if (!exchange.ok) {
    throw new ApiUnreachable(`cannot reach ${url.origin}: ${exchange.failure.message}`, {
      hint: exchange.failure.hint ?? "check the network (and --api-base, if given)",
    });
  }
  if (exchange.truncated) {
    throw new ApiUnreachable(`${url.origin} answered more than ${MAX_ANSWER_BYTES} bytes`, {
      hint: "check --api-base: that is not the provider's API",
    });
  }
  const text = exchange.body.toString("utf8");
  return { status: exchange.status, json: parseJson(text), text };
}

function parseJson(text: string): unknown {
  if (text.trim() === "") return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
