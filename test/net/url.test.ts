import { describe, expect, it } from "vitest";
import { joinUrl, splitUrl, urlJoiner } from "../../src/net/url.js";

describe("joinUrl: where a forwarded or replayed request goes", () => {
  it("appends path and query to the base's path, the base's query first, the query bytes kept", () => {
    const base = new URL("http://127.0.0.1:3000/app/?k=1");
    expect(joinUrl(base, "/stripe?x=%2F&y")).toBe("http://127.0.0.1:3000/app/stripe?k=1&x=%2F&y");
    expect(joinUrl(new URL("http://h"), "/a/b")).toBe("http://h/a/b");
    expect(joinUrl(new URL("http://h/app//"), "/x")).toBe("http://h/app/x");
    expect(joinUrl(new URL("http://h/app"), "/x?")).toBe("http://h/app/x");
  });

  it("a root path leaves the base's path as typed, its trailing slash included", () => {
    expect(joinUrl(new URL("http://h/"), "/")).toBe("http://h/");
    expect(joinUrl(new URL("http://h/hooks"), "/")).toBe("http://h/hooks");
    expect(joinUrl(new URL("http://h/hooks/"), "/")).toBe("http://h/hooks/");
    expect(joinUrl(new URL("http://h/hooks/?k=1"), "/?x=2")).toBe("http://h/hooks/?k=1&x=2");
    expect(joinUrl(new URL("http://h/hooks"), "")).toBe("http://h/hooks");
  });

  it("keeps the base's user and password (replay sends them as Authorization); drops its fragment", () => {
    expect(joinUrl(new URL("https://u:p%40ss@h:8443/x#top"), "/y")).toBe("https://u:p%40ss@h:8443/x/y");
    expect(splitUrl(joinUrl(new URL("https://u:p@h/x"), "/y"))).toEqual({
      origin: "https://h",
      path: "/x/y",
    });
  });

  it("urlJoiner, parsed once, joins as joinUrl does for every path", () => {
    const base = new URL("http://h/app?k=1");
    const join = urlJoiner(base);
    for (const path of ["/", "", "/a", "/a?b=1", "/a/?b", "?q=1"])
      expect(join(path)).toBe(joinUrl(base, path));
  });
});
