import { parse, stringify } from "node:querystring";

/** Splits without normalising, so the path and query keep the exact characters Twilio signed. */
function split(url: string) {
  const match = /^([a-z][a-z0-9+.-]*:\/\/)([^/?#]*)/i.exec(url);
  if (!match) return undefined;
  const [prefix, scheme = "", authority = ""] = match;
  const userEnd = authority.lastIndexOf("@");
  const hostPort = authority.slice(userEnd + 1);
  // A colon starts the port only after an IPv6 literal's closing bracket.
  const portStart = hostPort.indexOf(":", hostPort.lastIndexOf("]") + 1);
  return {
    scheme,
    user: authority.slice(0, userEnd + 1),
    host: portStart === -1 ? hostPort : hostPort.slice(0, portStart),
    port: portStart === -1 ? "" : hostPort.slice(portStart),
    rest: url.slice(prefix.length),
  };
}

function removePort(url: string): string {
  const p = split(url);
  return p ? p.scheme + p.user + p.host + p.rest : url;
}

function addPort(url: string): string {
  const p = split(url);
  if (!p || p.port) return url;
  return p.scheme + p.user + p.host + (p.scheme.toLowerCase() === "https://" ? ":443" : ":80") + p.rest;
}

function legacyQuery(url: string): string {
  const at = url.indexOf("?");
  if (at === -1) return url;
  return `${url.slice(0, at)}?${stringify(parse(url.slice(at + 1)))}`;
}

/**
 * The URLs twilio-node's validateRequest tries, in its order: Twilio's own proxies add or drop the
 * default port, and some back ends see the URL percent-encoded differently from what was signed.
 */
export function twilioUrlVariants(url: string): string[] {
  const variants = [removePort(url), addPort(url)];
  try {
    const normalised = new URL(url).toString();
    const bare = removePort(normalised);
    const ported = addPort(normalised);
    variants.push(bare, ported, legacyQuery(bare), legacyQuery(ported));
  } catch {
    // Not parseable: only the as-received forms can match.
  }
  return [...new Set(variants)];
}
