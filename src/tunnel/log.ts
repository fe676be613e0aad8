/**
 * Reading cloudflared's stderr, one whole line at a time. Only the URL inside cloudflared's box counts:
 * the npm package matches any trycloudflare.com URL in a chunk, so when the quick-tunnel request fails
 * it reports https://api.trycloudflare.com, the API host in the error message, as the tunnel's URL.
 */
const BOX_URL = /\|\s+(https:\/\/[a-z0-9-]+(?:\.[a-z0-9-]+)+)\/?\s+\|/i;
const STAMP = /^\d{4}-\d\d-\d\dT[\d:.]+Z\s+(?:INF|WRN|ERR|DBG|FTL)\s+/;

/** The quick tunnel's public URL, if this line is the box row that carries it. */
export function boxUrl(line: string): string | undefined {
  const url = BOX_URL.exec(line)?.[1];
  if (!url) return undefined;
  if (new URL(url).hostname === "api.trycloudflare.com") return undefined;
  return url;
}

export function isRegistered(line: string): boolean {
  return /Registered tunnel connection/.test(line);
}

/** Without the timestamp and level: what a person reads. */
export function plain(line: string): string {
  return line.replace(STAMP, "").trim();
}

/** Splits a stream into lines; a partial last line waits for the rest. */
export function lineSplitter(onLine: (line: string) => void): { push(chunk: string): void; end(): void } {
  let rest = "";
  return {
    push(chunk) {
      const parts = (rest + chunk).split(/\r?\n/);
      rest = parts.pop() ?? "";
      for (const part of parts) if (part.trim() !== "") onLine(part);
    },
    end() {
      if (rest.trim() !== "") onLine(rest);
      rest = "";
    },
  };
}

/** The line that best says why cloudflared stopped: the last error-looking one, else the last one. */
export function failureLine(tail: string[]): string | undefined {
  const errors = tail.filter((line) => /failed|error|ERR |FTL |refused|denied|invalid/i.test(line));
  const chosen = errors.at(-1) ?? tail.at(-1);
  return chosen === undefined ? undefined : plain(chosen);
}

/** A next step for the failures seen in the wild (providers.md section 15). */
export function failureHint(tail: string[]): string {
  const text = tail.join("\n");
  if (/429|1015|Too Many Requests/i.test(text)) {
    return "trycloudflare.com is rate limiting quick tunnels from this address: wait a few minutes, or use a named tunnel with --tunnel-token";
  }
  if (/no such host|dial tcp|network is unreachable|lookup |i\/o timeout|connection refused/i.test(text)) {
    return "no route to Cloudflare (offline, DNS or a firewall?): hook keeps listening locally; use --no-tunnel to skip the tunnel";
  }
  if (/quic|edge|7844/i.test(text)) {
    return "cloudflared cannot reach Cloudflare's edge (UDP/7844 blocked?): try again later, or use --no-tunnel";
  }
  if (/token/i.test(text))
    return "check --tunnel-token: it is the token of a named tunnel (Zero Trust > Tunnels)";
  return "run the same cloudflared command by hand to see more, or use --no-tunnel";
}
