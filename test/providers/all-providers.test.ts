import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { getProvider, listProviders, providerNames } from "../../src/providers/index.js";
import type { Provider } from "../../src/providers/types.js";
import { bytes, flipOneByte } from "./helpers.js";

const dataDir = mkdtempSync(join(tmpdir(), "hook-all-"));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

const options = { signatureHeader: "X-Signature", webhookId: "WH-LOCAL", dataDir };
const secretsFor: Record<string, [string, string]> = {
  standard: ["whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD"],
  svix: ["whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD"],
  stripe: ["whsec_old", "whsec_new"],
};
const now = new Date(1_700_000_000_000);

/** Bodies that break tools which re-serialise JSON or treat the body as text. */
const bodies: Record<string, Buffer> = {
  "non-ASCII": bytes('{"name":"Zoë Ångström","emoji":"🎉","cjk":"日本語"}'),
  "\\u escapes": bytes('{"text":"caf\\u00e9 \\ud83c\\udf89 \\u0000"}'),
  "escaped slashes": bytes('{"url":"https:\\/\\/example.com\\/a\\/b"}'),
  "odd whitespace": bytes('{ "a" :\t1 ,\r\n  "b":[ 1,2 ]\u00a0}'),
  "trailing newline": bytes('{"id":"evt_1","type":"x"}\n'),
  "not UTF-8": Buffer.from([0x7b, 0xff, 0xfe, 0x00, 0x7d]),
};

/** The URL a signed request goes to: Twilio signs any non-form body through bodySHA256. */
const urlFor = (body: Uint8Array) =>
  `https://example.com/hook?x=1&bodySHA256=${createHash("sha256").update(body).digest("hex")}`;

function signed(provider: Provider, body: Uint8Array, secret: string) {
  const input = { body, secret, timestamp: now, url: urlFor(body) };
  return { headers: new Headers(provider.sign(input)), body: provider.signBody?.(input) ?? body };
}

const signing = providerNames().filter((name) => name !== "none");

describe.each(signing)("%s", (name) => {
  const provider = getProvider(name, options);
  const [oldSecret, newSecret] = secretsFor[name] ?? ["old-secret_1", "new-secret_2"];
  const verify = (body: Uint8Array, headers: Headers, secrets: string[]) =>
    provider.verify({ body, headers, secrets, now, url: urlFor(body) });

  it.each(Object.entries(bodies))("signs and verifies a body with %s byte for byte", (_label, body) => {
    const sent = signed(provider, body, newSecret);
    expect(verify(sent.body, sent.headers, [newSecret])).toEqual({ ok: true });
    if (name === "liqpay") {
      const data = new URLSearchParams(Buffer.from(sent.body).toString()).get("data") ?? "";
      expect(Buffer.from(data, "base64").equals(body)).toBe(true);
    }
    // Telegram signs nothing: its token is the same whatever the body.
    if (name !== "telegram") {
      const tampered = name === "liqpay" ? flipOneByte(sent.body, 6) : flipOneByte(sent.body);
      const verdict = provider.verify({
        body: tampered,
        headers: sent.headers,
        secrets: [newSecret],
        now,
        url: urlFor(body),
      });
      expect(verdict.ok).toBe(false);
    }
  });

  it("accepts the second secret of a rotation and rejects a wrong one", () => {
    if (provider.usesSecret === false) return; // PayPal: a certificate, not a secret
    const sent = signed(provider, bodies["trailing newline"] as Buffer, newSecret);
    expect(verify(sent.body, sent.headers, [oldSecret, newSecret])).toEqual({ ok: true });
    expect(verify(sent.body, sent.headers, [oldSecret])).toMatchObject({ ok: false, code: "no-match" });
  });

  it("never throws on hostile input, and says why it fails", () => {
    for (let i = 0; i < 25; i++) {
      const body = randomBytes(i * 7);
      const headers = new Headers();
      for (const header of provider.signatureHeaders)
        headers.set(
          header,
          randomBytes(i)
            .toString("latin1")
            .replace(/[^\x20-\x7e]/g, "="),
        );
      const verdict = provider.verify({ body, headers, secrets: [newSecret], now, url: "not a url" });
      expect(verdict.ok).toBe(false);
      if (!verdict.ok) expect(verdict.reason.length).toBeGreaterThan(5);
      expect(() => provider.describe(body, headers)).not.toThrow();
    }
  });

  it("describes JSON whose fields are null, or that is null, without throwing", () => {
    const nulls = '{"type":null,"id":null,"event":null,"data":null,"subscription":null,"payload":null}';
    for (const body of [nulls, "null", "[]", '"text"', "7"]) {
      expect(() => provider.describe(bytes(body), new Headers())).not.toThrow();
      expect(() => provider.envelope?.(bytes(body), now)).not.toThrow();
    }
    expect(provider.describe(bytes(nulls), new Headers()).type).toBeUndefined();
  });

  it("treats an ordinary delivery as no handshake", () => {
    const request = {
      method: "POST",
      url: "/hook",
      headers: new Headers(),
      body: bytes('{"type":"x","id":"1"}'),
    };
    expect(provider.handshake?.(request)).toBeUndefined();
    expect(provider.handshake?.({ ...request, method: "GET", body: bytes("") })).toBeUndefined();
  });

  it("reports a missing signature as such", () => {
    const verdict = provider.verify({
      body: bytes("{}"),
      headers: new Headers(),
      secrets: [newSecret],
      now,
      url: urlFor(bytes("{}")),
    });
    expect(verdict).toMatchObject({ ok: false, code: "missing-header" });
  });

  it("lists the headers sign() emits among those replay must drop", () => {
    const emitted = Object.keys(
      provider.sign({ body: bytes("{}"), secret: newSecret, timestamp: now, url: urlFor(bytes("{}")) }),
    );
    const optional = ["x-github-delivery", "x-shopify-webhook-id"];
    for (const header of emitted.map((h) => h.toLowerCase())) {
      if (!optional.includes(header)) expect(provider.signatureHeaders).toContain(header);
    }
  });
});

describe("the registry", () => {
  it("has every provider the design requires, each with a summary and a real timeout", () => {
    const required = [
      "stripe",
      "github",
      "shopify",
      "slack",
      "standard",
      "twilio",
      "twitch",
      "websub",
      "telegram",
      "liqpay",
      "paypal",
      "paddle",
      "hmac",
      "none",
    ];
    expect(providerNames()).toEqual(expect.arrayContaining(required));
    for (const provider of listProviders()) {
      expect(provider.summary.length).toBeGreaterThan(10);
      expect(provider.timeoutMs).toBeGreaterThanOrEqual(3000);
    }
  });

  it("gives each provider its own name, a media type, and a tolerance exactly when it signs a timestamp", () => {
    // What each provider's deliveries carry; JSON unless listed.
    const types: Record<string, string> = {
      stripe: "application/json; charset=utf-8",
      twilio: "application/x-www-form-urlencoded",
      liqpay: "application/x-www-form-urlencoded",
      websub: "application/atom+xml",
    };
    for (const name of providerNames()) {
      const provider = getProvider(name, options);
      expect(provider.name).toBe(name);
      expect(provider.contentType).toBe(types[name] ?? "application/json");
      expect(`${name}: ${provider.toleranceSeconds !== undefined}`).toBe(
        `${name}: ${provider.signsTimestamp}`,
      );
      expect(`${name}: ${provider.usesSecret ?? true}`).toBe(`${name}: ${name !== "paypal"}`);
    }
    expect(getProvider("PayPal", options).name).toBe("paypal");
  });

  it("checks the options a provider needs, naming the flag and the choices", () => {
    expect(() => getProvider("twilio", { algorithm: "sha512" })).toThrow(
      '--algorithm: "sha512" is not sha1 or sha256 (Twilio)',
    );
    expect(getProvider("twilio", { algorithm: "SHA256" }).name).toBe("twilio");
    expect(getProvider("Twilio").name).toBe("twilio");
    expect(() => getProvider("websub", { algorithm: "md5" })).toThrow(
      '--algorithm: "md5" is not one of sha1, sha256, sha384, sha512 (WebSub)',
    );
    expect(
      getProvider("websub", { algorithm: "SHA384" }).sign({ body: bytes("x"), secret: "s", timestamp: now }),
    ).toEqual({
      "X-Hub-Signature": expect.stringMatching(/^sha384=[0-9a-f]{96}$/),
    });
    expect(listProviders().map((provider) => provider.name)).toEqual(providerNames());
  });

  it("rejects an unknown provider listing the valid ones", () => {
    expect(() => getProvider("strpe")).toThrow('unknown provider "strpe"');
    try {
      getProvider("strpe");
    } catch (error) {
      expect((error as { hint?: string }).hint).toContain("stripe, github, shopify");
    }
  });
});

describe("checkSecret", () => {
  it.each([
    ["stripe", "rk_live_abc"],
    ["github", "ghp_16C7e42F292c6912E7710c838347Ae178B4a"],
    ["shopify", "shpat_0123456789abcdef"],
    ["slack", "xoxb-123-456-abc"],
    ["telegram", "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"],
    ["liqpay", "sandbox_i000000001"],
    ["paddle", "pdl_sdbx_apikey_01abc"],
  ])("%s recognises another kind of key (%s) as a mistake", (name, key) => {
    expect(getProvider(name, options).checkSecret?.(key)).toMatch(/^that (is|looks like)/);
  });

  it("warns softly about a Twitch secret of the wrong length", () => {
    expect(getProvider("twitch").checkSecret?.("short")).toMatch(/10-100 characters/);
    expect(getProvider("twitch").checkSecret?.("long-enough-secret")).toBeUndefined();
  });
});
