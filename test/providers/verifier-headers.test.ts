import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { getProvider, providerNames } from "../../src/providers/index.js";

const dataDir = mkdtempSync(join(tmpdir(), "hook-verifier-headers-"));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

const options = { signatureHeader: "X-Signature", webhookId: "WH-LOCAL", dataDir };
const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const body = Buffer.from('{"id":"evt_1","type":"charge.refunded"}');
const url = `https://example.com/hook?bodySHA256=${createHash("sha256").update(body).digest("hex")}`;

/** Headers that remember every name read from them. */
function recording(init: Record<string, string>): { headers: Headers; read: Set<string> } {
  const read = new Set<string>();
  const headers = new Proxy(new Headers(init), {
    get(target, prop) {
      const value = Reflect.get(target, prop, target) as unknown;
      if (typeof value !== "function") return value;
      if (prop !== "get" && prop !== "has") return value.bind(target);
      return (name: string) => {
        read.add(name.toLowerCase());
        return value.call(target, name);
      };
    },
  });
  return { headers, read };
}

/**
 * Replay drops `signatureHeaders` and signs afresh. A header the verifier reads but that list lacks
 * survives from the old delivery: Standard Webhooks' verifier prefers svix-* over webhook-*, so an
 * old svix-signature next to a fresh webhook-signature failed ("timestamp too old").
 */
describe.each(providerNames().filter((name) => name !== "none"))("%s", (name) => {
  it("lists every signature header its verifier reads, so replay drops them all", () => {
    const provider = getProvider(name, options);
    const input = { body, secret, timestamp: new Date(), url };
    const { headers, read: names } = recording(provider.sign(input));
    provider.verify({
      body: provider.signBody?.(input) ?? body,
      headers,
      secrets: [secret],
      now: new Date(),
      url,
    });
    // Content-Type says how the body is encoded; the fixture's own is right and must stay.
    const read = [...names].filter((h) => h !== "content-type");
    expect(provider.signatureHeaders.map((h) => h.toLowerCase())).toEqual(expect.arrayContaining(read));
  });
});
