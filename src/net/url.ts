const splitCache = new Map<string, { origin: string; path: string }>();

/** origin and path+query of a URL, parsed once per distinct URL (forwarding and replay). */
export function splitUrl(href: string): { origin: string; path: string } {
  let found = splitCache.get(href);
  if (!found) {
    const url = new URL(href);
    found = { origin: url.origin, path: `${url.pathname}${url.search}` };
    if (splitCache.size >= 1000) splitCache.clear();
    splitCache.set(href, found);
  }
  return found;
}

/**
 * The URL a request for `path` (path and query, as received or recorded) goes to at `base`:
 * "http://h/app" + "/stripe?x=1" -> "http://h/app/stripe?x=1", base's own query first. A root path
 * leaves base's path as typed ("http://h/hooks/" + "/" keeps the slash: some frameworks redirect
 * without it). The bytes are joined, not re-encoded; base's user:password@ is kept (replay turns it
 * into an Authorization header). Listen forwards and replay sends through this one join.
 */
export function joinUrl(base: URL, path: string): string {
  return urlJoiner(base)(path);
}

/** joinUrl with `base` parsed once: the per-request part is string work only (the forwarding path). */
export function urlJoiner(base: URL): (path: string) => string {
  const { href, pathname, search, hash } = base;
  const prefix = href.slice(0, href.length - pathname.length - search.length - hash.length);
  const trimmed = pathname.replace(/\/+$/, "");
  const ownQuery = search.slice(1);
  return (path) => {
    const q = path.indexOf("?");
    const rest = q < 0 ? path : path.slice(0, q);
    const query = q < 0 ? "" : path.slice(q + 1);
    const joined = rest === "/" || rest === "" ? pathname : `${trimmed}${rest}`;
    const merged = ownQuery && query ? `${ownQuery}&${query}` : ownQuery || query;
    return `${prefix}${joined || "/"}${merged ? `?${merged}` : ""}`;
  };
}
