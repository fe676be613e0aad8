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
