import { BlockList, isIP } from "node:net";
import { UsageError } from "../errors.js";

/** HTTP_PROXY, HTTPS_PROXY and NO_PROXY as read once for a run. */
export interface ProxySettings {
  http?: URL;
  https?: URL;
  /** NO_PROXY: true for `*` (never proxy). */
  bypassAll: boolean;
  hosts: { name: string; port: number }[];
  /** NO_PROXY entries that are IP addresses or CIDR ranges. */
  addresses: BlockList;
}

type Env = Record<string, string | undefined>;

/**
 * The lower-case spelling wins, as in curl and undici; an empty value means no proxy, so that
 * `https_proxy= hook ...` turns an inherited one off.
 */
function variable(env: Env, name: string): string | undefined {
  const value = env[name.toLowerCase()] ?? env[name];
  return value?.trim() ? value.trim() : undefined;
}

export function proxySettings(env: Env): ProxySettings {
  const noProxy = variable(env, "NO_PROXY") ?? "";
  const settings: ProxySettings = {
    http: proxyUrl(env, "HTTP_PROXY"),
    https: proxyUrl(env, "HTTPS_PROXY"),
    bypassAll: noProxy === "*",
    hosts: [],
    addresses: new BlockList(),
  };
  for (const entry of noProxy.split(/[\s,]+/).filter(Boolean)) addNoProxy(settings, entry);
  return settings;
}

/** `proxy:3128` without a scheme means http://, as curl reads it. */
function proxyUrl(env: Env, name: string): URL | undefined {
  const value = variable(env, name);
  if (value === undefined) return undefined;
  const text = /^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `http://${value}`;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`${name}: not a proxy URL`, "for example: http://proxy.example.com:3128");
  }
  if (!["http:", "https:", "socks:", "socks5:"].includes(url.protocol)) {
    throw new UsageError(
      `${name}: ${url.protocol.slice(0, -1)} proxies are not supported`,
      "use an http://, https:// or socks5:// proxy URL",
    );
  }
  return url;
}

function addNoProxy(settings: ProxySettings, entry: string): void {
  const [range, bits] = entry.split("/");
  const family = isIP(range ?? "") === 6 ? "ipv6" : "ipv4";
  if (range && isIP(range)) {
    if (bits === undefined) settings.addresses.addAddress(range, family);
    else settings.addresses.addSubnet(range, Number(bits), family);
    return;
  }
  const withPort = /^(.+):(\d+)$/.exec(entry);
  settings.hosts.push({
    // ".example.com" and "*.example.com" both mean the domain and everything below it.
    name: (withPort?.[1] ?? entry).replace(/^\*?\./, "").toLowerCase(),
    port: withPort ? Number(withPort[2]) : 0,
  });
}

const loopback = new BlockList();
loopback.addSubnet("127.0.0.0", 8, "ipv4");
loopback.addAddress("::1", "ipv6");

/**
 * The proxy a request to `url` goes through, or undefined for a direct connection. Loopback is
 * always direct: a proxy cannot reach this machine's 127.0.0.1, and `--forward-to
 * http://localhost:3000` must keep working where HTTPS_PROXY is set for the whole system.
 */
export function proxyFor(url: URL, settings: ProxySettings): URL | undefined {
  const proxy = url.protocol === "https:" ? (settings.https ?? settings.http) : settings.http;
  if (proxy === undefined || settings.bypassAll) return undefined;
  const host = url.hostname.replace(/^\[|\]$/g, "").toLowerCase();
  const port = Number(url.port) || (url.protocol === "https:" ? 443 : 80);
  const family = isIP(host);
  if (family !== 0) {
    const kind = family === 6 ? "ipv6" : "ipv4";
    if (loopback.check(host, kind) || settings.addresses.check(host, kind)) return undefined;
  } else if (host === "localhost" || host.endsWith(".localhost")) {
    return undefined;
  }
  for (const entry of settings.hosts) {
    if (entry.port !== 0 && entry.port !== port) continue;
    if (host === entry.name || host.endsWith(`.${entry.name}`)) return undefined;
  }
  return proxy;
}

/** Whether any proxy variable is set at all: without one, nothing needs deciding per origin. */
export function anyProxy(settings: ProxySettings): boolean {
  return !settings.bypassAll && (settings.http !== undefined || settings.https !== undefined);
}
