/**
 * The full URL the sender used, which Twilio signs. Behind cloudflared (or any proxy) the Host we see
 * may be ours, so, in order:
 *   1. X-Forwarded-Host / X-Forwarded-Proto, when a proxy set them;
 *   2. the Host header, when it is a public name (cloudflared passes the public hostname through),
 *      with https when the request came through cloudflared (it sets Cf-Connecting-Ip);
 *   3. the tunnel's public URL, when the request came through the tunnel but Host is local;
 *   4. http://<Host> otherwise (a local sender).
 */
export function publicUrl(path: string, headers: Headers, tunnelUrl: string | undefined): string {
  const forwardedHost = first(headers.get("x-forwarded-host"));
  const forwardedProto = first(headers.get("x-forwarded-proto"));
  const viaTunnel = headers.has("cf-connecting-ip");
  const host = forwardedHost ?? headers.get("host") ?? "localhost";
  if (!forwardedHost && isLocal(host) && viaTunnel && tunnelUrl) {
    return `${new URL(tunnelUrl).origin}${path}`;
  }
  const proto = forwardedProto ?? (viaTunnel ? "https" : "http");
  return `${proto}://${host}${path}`;
}

function first(value: string | null): string | undefined {
  const one = value?.split(",")[0]?.trim();
  return one ? one : undefined;
}

function isLocal(host: string): boolean {
  const name = host.replace(/:\d+$/, "").replace(/^\[|\]$/g, "");
  return name === "localhost" || name === "::1" || name.startsWith("127.") || name === "0.0.0.0";
}
