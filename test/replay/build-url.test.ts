import { describe, expect, it } from "vitest";
import { getProvider } from "../../src/providers/index.js";
import { buildRequest } from "../../src/replay/build.js";
import type { LoadedFixture } from "../../src/store/fixture-reader.js";

function urlFor(to: string, path: string): string {
  const fixture: LoadedFixture = {
    file: "f.json",
    method: "POST",
    path,
    headers: {},
    body: new Uint8Array(),
    bare: false,
  };
  return buildRequest({
    fixture,
    provider: getProvider("none"),
    secret: undefined,
    to: new URL(to),
    extraHeaders: [],
    now: new Date(0),
    deliveryId: "d",
  }).url;
}

describe("where a replayed request goes", () => {
  it("--to's path, then the fixture's, then both queries; a fixture path of / is exactly --to", () => {
    expect(urlFor("http://h/api", "/webhooks/stripe?src=x")).toBe("http://h/api/webhooks/stripe?src=x");
    expect(urlFor("http://h/hooks/stripe", "/")).toBe("http://h/hooks/stripe");
    expect(urlFor("http://h/hooks/", "/")).toBe("http://h/hooks/");
  });

  it("drops the fixture's masked credential parameters, so --to's own query can supply them", () => {
    expect(urlFor("http://h/app?token=real", "/x?token=***&a=1")).toBe("http://h/app/x?token=real&a=1");
    expect(urlFor("http://h/app", "/x?token=***")).toBe("http://h/app/x");
    expect(urlFor("http://h/app", "/***/x")).toBe("http://h/app/***/x");
  });

  it("is the URL as the client sends it (it is what Twilio signs): bytes the parser escapes are escaped", () => {
    expect(urlFor("http://h/app", '/x y?a=b c&q="')).toBe("http://h/app/x%20y?a=b%20c&q=%22");
  });
});
