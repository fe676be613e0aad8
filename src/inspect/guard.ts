import type { IncomingMessage, ServerResponse } from "node:http";

/**
 * The rules that keep a hostile web page in the same browser away from the inspector:
 * - DNS rebinding: a page on evil.example whose name is re-pointed at 127.0.0.1 can reach the port,
 *   but its requests still carry `Host: evil.example`. Only loopback names with our port pass.
 * - CSRF: a cross-site <form> can POST, but only with a form or text content type, and fetch() from
 *   another origin cannot send application/json without a CORS preflight, which we never answer.
 *   The Origin header, when the browser sends one, must be ours as well.
 * Returns why a request is refused, or undefined when it may go on.
 */
export function refusal(req: IncomingMessage, port: number): string | undefined {
  const allowed = allowedHosts(port);
  const host = req.headers.host?.toLowerCase();
  if (!host || !allowed.includes(host)) {
    return `Host ${JSON.stringify(req.headers.host ?? "")} is not this inspector (open http://127.0.0.1:${port})`;
  }
  const origin = req.headers.origin;
  if (origin !== undefined && !allowed.some((name) => origin.toLowerCase() === `http://${name}`)) {
    return `Origin ${JSON.stringify(origin)} may not use this inspector`;
  }
  const method = req.method ?? "GET";
  if (method !== "GET" && method !== "HEAD") {
    const type = (req.headers["content-type"] ?? "").split(";")[0]?.trim().toLowerCase();
    if (type !== "application/json") return `${method} needs Content-Type: application/json`;
  }
  return undefined;
}

function allowedHosts(port: number): string[] {
  return [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`];
}

/** Headers on every answer: no framing (clickjacking), no sniffing, scripts and styles only from us. */
export const SAFE_HEADERS: Record<string, string> = {
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "referrer-policy": "no-referrer",
  "content-security-policy":
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  "cache-control": "no-store",
};

/** A JSON answer with the safe headers. */
export function sendJson(res: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  res.writeHead(status, {
    ...SAFE_HEADERS,
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(body),
  });
  res.end(body);
}
