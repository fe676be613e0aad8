import { formatDuration, formatSize } from "../units.js";

type NetFailureKind =
  | "timeout"
  | "refused"
  | "dns"
  | "unreachable"
  | "reset"
  | "tls"
  | "proxy"
  | "too-large"
  | "aborted"
  | "other";

/** Why a call got no usable answer: a sentence for the line, and a next step. */
export interface NetFailure {
  kind: NetFailureKind;
  message: string;
  hint?: string;
}

export interface NetContext {
  /** Where the call went: "http://127.0.0.1:3000". Only its host and port are ever shown. */
  origin: string;
  /** The proxy the call went through, if any. */
  proxy?: URL;
  deadlineMs: number;
  /** Who is called: the user's app (forward, replay, deliveries) or a provider's API (poll). */
  peer?: "app" | "api";
}

/** The message and its hint in one line, for per-request lines (listen, replay, poll deliveries). */
export function failureText(failure: NetFailure): string {
  return failure.hint ? `${failure.message} (${failure.hint})` : failure.message;
}

export function timedOut(context: NetContext): NetFailure {
  return {
    kind: "timeout",
    message: `no complete answer from ${hostOf(context.origin)} within ${formatDuration(context.deadlineMs)}`,
    hint: context.peer === "api" ? API_HINTS.timeout : "it answered too slowly, or its answer never ended",
  };
}

export function tooLarge(origin: string, maxBytes: number): NetFailure {
  return {
    kind: "too-large",
    message: `the answer of ${hostOf(origin)} is larger than ${formatSize(maxBytes)}`,
  };
}

const TLS_CODES = new Set([
  "CERT_HAS_EXPIRED",
  "CERT_NOT_YET_VALID",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "UNABLE_TO_GET_ISSUER_CERT",
  "ERR_TLS_CERT_ALTNAME_INVALID",
  "UND_ERR_PRX_TLS",
]);

type Coded = Error & { code?: string; cause?: Coded };

type Rule = { kind: NetFailureKind; says: (where: string) => string; hint?: string };

const PROXY_HINT = "check HTTPS_PROXY / HTTP_PROXY, or list the host in NO_PROXY";

/** Where the app hints ("is the app running?") would mislead: the far end is a provider's API. */
const API_HINTS: Partial<Record<NetFailureKind, string>> = {
  timeout: "the API answered too slowly, or its answer never ended; it is retried",
  refused: "check --api-base; behind a proxy, set HTTPS_PROXY",
  reset: "the API or something on the way closed the connection; it is retried",
};

/** Connection-level failures: through a proxy they happened between hook and the proxy. */
const CONNECT_RULES: Record<string, Rule> = {
  ECONNREFUSED: {
    kind: "refused",
    says: (w) => `connection refused by ${w}`,
    hint: "is the app running and listening on that port?",
  },
  ENOTFOUND: {
    kind: "dns",
    says: (w) => `host not found: ${w}`,
    hint: "check the host name; on a VPN or behind a proxy, is its DNS reachable (HTTPS_PROXY)?",
  },
  UND_ERR_CONNECT_TIMEOUT: {
    kind: "unreachable",
    says: (w) => `could not connect to ${w} (connect timed out)`,
    hint: "a firewall may drop the traffic; behind a proxy, set HTTPS_PROXY",
  },
  EHOSTUNREACH: {
    kind: "unreachable",
    says: (w) => `no route to ${w}`,
    hint: "check the network or VPN; behind a proxy, set HTTPS_PROXY",
  },
};
CONNECT_RULES.EAI_AGAIN = CONNECT_RULES.ENOTFOUND as Rule;
CONNECT_RULES.ETIMEDOUT = CONNECT_RULES.UND_ERR_CONNECT_TIMEOUT as Rule;
CONNECT_RULES.ENETUNREACH = CONNECT_RULES.EHOSTUNREACH as Rule;

const RESET: Rule = {
  kind: "reset",
  says: (w) => `${w} closed the connection before answering`,
  hint: "the app may have crashed or refused the request; check its log",
};
const CUT: Rule = { kind: "aborted", says: (w) => `the request to ${w} was cut off: hook is stopping` };
const NOT_HTTP: Rule = {
  kind: "other",
  says: (w) => `${w} answered with something that is not HTTP`,
  hint: "is that port the app's HTTP port?",
};
const ANSWER_RULES: Record<string, Rule> = {
  ECONNRESET: RESET,
  UND_ERR_DESTROYED: CUT,
  UND_ERR_CLOSED: CUT,
  UND_ERR_ABORTED: CUT,
  EPIPE: RESET,
  UND_ERR_SOCKET: RESET,
  ERR_SSL_WRONG_VERSION_NUMBER: {
    kind: "tls",
    says: (w) => `TLS with ${w} failed: it does not speak TLS on that port`,
    hint: "use http:// instead of https://, or the port that serves TLS",
  },
  UND_ERR_HEADERS_OVERFLOW: { kind: "other", says: (w) => `${w} sent headers that are too large` },
};

/**
 * Turns what Node and undici throw (ECONNREFUSED, ENOTFOUND, TLS and proxy failures ...) into a
 * sentence a person can act on. Names the host and port only: a URL may carry a key.
 */
export function describeNetworkError(error: unknown, context: NetContext): NetFailure {
  const err = error as Coded;
  const code = err.code && err.code !== "UND_ERR_SOCKET" ? err.code : (err.cause?.code ?? err.code);
  const proxy = context.proxy;
  const proxyStatus = /Proxy response \((\d+)\)|\((407)\)/.exec(err.message ?? "");
  if (proxy && proxyStatus) return proxyRefused(Number(proxyStatus[1] ?? proxyStatus[2]), context);
  const connect = code ? CONNECT_RULES[code] : undefined;
  if (connect) {
    const dns = connect.kind === "dns";
    const where = proxy
      ? `the proxy ${dns ? proxy.hostname : proxy.host}`
      : dns
        ? hostname(context.origin)
        : hostOf(context.origin);
    return failure(connect.kind, connect.says(where), proxy ? PROXY_HINT : hintFor(connect, context));
  }
  const where = hostOf(context.origin);
  // undici's HTTPParserError often carries no code.
  const notHttp = err.name === "HTTPParserError" || code?.startsWith("HPE_") === true;
  const answer = notHttp ? NOT_HTTP : code ? ANSWER_RULES[code] : undefined;
  if (answer) return failure(answer.kind, answer.says(where), hintFor(answer, context));
  if (code && TLS_CODES.has(code)) {
    return failure(
      "tls",
      `TLS with ${where} failed: ${tlsReason(code, err)}`,
      "a proxy that inspects TLS needs its CA certificate: NODE_EXTRA_CA_CERTS=/path/to/ca.pem",
    );
  }
  const detail = err.cause?.message ?? err.message ?? String(error);
  return failure("other", `request to ${where} failed: ${code ? `${code}: ` : ""}${detail}`);
}

function hintFor(rule: Rule, context: NetContext): string | undefined {
  return (context.peer === "api" ? API_HINTS[rule.kind] : undefined) ?? rule.hint;
}

function failure(kind: NetFailureKind, message: string, hint?: string): NetFailure {
  return hint ? { kind, message, hint } : { kind, message };
}

function proxyRefused(status: number, context: NetContext): NetFailure {
  const proxy = context.proxy?.host ?? "the proxy";
  if (status === 407) {
    return failure(
      "proxy",
      `the proxy ${proxy} asks for a login (407)`,
      "put the user and password in the proxy URL: HTTPS_PROXY=http://user:password@proxy:3128",
    );
  }
  return failure(
    "proxy",
    `the proxy ${proxy} would not connect to ${hostOf(context.origin)} (it answered ${status})`,
    "ask for the host to be allowed, or list it in NO_PROXY if it is reachable directly",
  );
}

function tlsReason(code: string, err: Coded): string {
  if (code === "CERT_HAS_EXPIRED") return "its certificate has expired";
  if (code === "ERR_TLS_CERT_ALTNAME_INVALID") return "its certificate is for another host name";
  if (code === "DEPTH_ZERO_SELF_SIGNED_CERT" || code === "SELF_SIGNED_CERT_IN_CHAIN") {
    return "its certificate is self-signed or signed by an unknown authority";
  }
  if (code === "UNABLE_TO_VERIFY_LEAF_SIGNATURE" || code.startsWith("UNABLE_TO_GET_ISSUER")) {
    return "its certificate is signed by an authority this machine does not trust";
  }
  return err.cause?.message ?? err.message;
}

function hostOf(origin: string): string {
  try {
    const url = new URL(origin);
    return url.port ? url.host : `${url.host}:${url.protocol === "https:" ? 443 : 80}`;
  } catch {
    return origin;
  }
}

function hostname(origin: string): string {
  try {
    return new URL(origin).hostname;
  } catch {
    return origin;
  }
}
