import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { describe, expect, it, vi } from "vitest";
import { getProvider } from "../../src/providers/index.js";
import { bytes, check, flipOneByte } from "./helpers.js";

type Params = Record<string, string | string[]>;
// twilio is CommonJS.
const twilioSdk = createRequire(import.meta.url)("twilio") as {
  validateRequest(token: string, sig: string, url: string, params: Params, algorithm?: string): boolean;
  validateRequestWithBody(token: string, sig: string, url: string, body: string, algorithm?: string): boolean;
  getExpectedTwilioSignature(token: string, url: string, params: Params, algorithm?: string): string;
  getSignatureAlgorithm(settings?: string): string;
};

const twilio = getProvider("twilio");
const token = "12345";
const now = new Date(1_700_000_000_000);
const form =
  "CallSid=CA1234567890ABCDE&Caller=%2B14158675309&Digits=1234&From=%2B14158675309&To=%2B18005551212";
const url = "https://mycompany.com/myapp.php?foo=1&bar=2";
const verifyAt = (body: string, signature: string, at: string, headers: Record<string, string> = {}) =>
  check(twilio, bytes(body), { "X-Twilio-Signature": signature, ...headers }, [token], now, { url: at });

describe("twilio", () => {
  it("reproduces twilio-node's validation vectors", () => {
    expect(twilio.sign({ body: bytes(form), secret: token, timestamp: now, url })).toEqual({
      "X-Twilio-Signature": "RSOYDt4T1cUTdK1PDd93/VVr8B8=",
    });
    const rows: [string, string][] = [
      ["https://mycompany.com:443/myapp.php?foo=1&bar=2", "kvajT1Ptam85bY51eRf/AJRuM3w="],
      ["http://mycompany.com:1234/myapp.php?foo=1&bar=2", "Zmvh+3yNM1Phv2jhDCwEM3q5ebU="],
      ["https://user:pass@mycompany.com/myapp.php?foo=1&bar=2", "CukzLTc1tT5dXEDIHm/tKBanW10="],
    ];
    for (const [signedUrl, signature] of rows) {
      expect(
        twilio.sign({ body: bytes(form), secret: token, timestamp: now, url: signedUrl })[
          "X-Twilio-Signature"
        ],
      ).toBe(signature);
    }
    const repeated = "Sid=CA123&SidAccount=AC123&Digits=5678&Digits=1234&Digits=1234";
    expect(verifyAt(repeated, "IK+Dwps556ElfBT0I3Rgjkr1wJU=", url)).toEqual({ ok: true });
  });

  it("tries the URL with the default port added or removed, like the SDK", () => {
    expect(
      verifyAt(form, "RSOYDt4T1cUTdK1PDd93/VVr8B8=", "https://mycompany.com:443/myapp.php?foo=1&bar=2"),
    ).toEqual({ ok: true });
    expect(verifyAt(form, "kvajT1Ptam85bY51eRf/AJRuM3w=", url)).toEqual({ ok: true });
    expect(
      verifyAt(form, "0ZXoZLH/DfblKGATFgpif+LLRf4=", "http://mycompany.com/myapp.php?foo=1&bar=2"),
    ).toEqual({ ok: true });
    expect(
      verifyAt(
        form,
        "TfZzewPq8wqrGlMfyAud8+/IvJ0=",
        "https://mycompany.com/myapp.php?foo=1&bar=2&Body=It's+amazing",
      ),
    ).toEqual({ ok: true });
  });

  it("checks JSON bodies through bodySHA256 (validateRequestWithBody's vectors)", () => {
    const body = '{"property": "value", "boolean": true}';
    const withHash =
      "https://mycompany.com/myapp.php?foo=1&bar=2&bodySHA256=0a1ff7634d9ab3b95db5c9a2dfe9416e41502b283a80c7cf19632632f96e6620";
    expect(verifyAt(body, "a9nBmqA0ju/hNViExpshrM61xv4=", withHash)).toEqual({ ok: true });
    expect(verifyAt(`${body} `, "a9nBmqA0ju/hNViExpshrM61xv4=", withHash)).toMatchObject({
      ok: false,
      reason: expect.stringContaining("bodySHA256"),
    });
    const signed = twilio.sign({ body: bytes(body), secret: token, timestamp: now, url: withHash });
    expect(twilioSdk.validateRequestWithBody(token, signed["X-Twilio-Signature"] ?? "", withHash, body)).toBe(
      true,
    );
    expect(() => twilio.sign({ body: bytes(body), secret: token, timestamp: now, url })).toThrow(
      /bodySHA256/,
    );
  });

  it("agrees with validateRequest and getExpectedTwilioSignature both ways", () => {
    const body = "Body=Caf%C3%A9+%E2%98%95&From=%2B1555&MessageSid=SM1&To=%2B1666&MediaUrl0=a";
    const params = Object.fromEntries(new URLSearchParams(body));
    const ours =
      twilio.sign({ body: bytes(body), secret: token, timestamp: now, url })["X-Twilio-Signature"] ?? "";
    expect(twilioSdk.validateRequest(token, ours, url, params)).toBe(true);
    const theirs = twilioSdk.getExpectedTwilioSignature(token, url, params);
    expect(verifyAt(body, theirs, url)).toEqual({ ok: true });
    expect(
      check(twilio, flipOneByte(bytes(body), 6), { "X-Twilio-Signature": theirs }, [token], now, { url }).ok,
    ).toBe(false);
  });

  it("accepts a URL form exactly when validateRequest does (ports, user info, IPv6, encodings)", () => {
    const urls = [
      "https://example.com/sms",
      "https://example.com:443/sms?a=1",
      "http://example.com/sms?a=1",
      "http://example.com:80/sms",
      "HTTPS://Example.com/sms",
      "http://example.com:8080/sms?x=y",
      "https://user:p%40ss@example.com/sms?to=%2B1",
      "https://a@b:c@example.com:443/sms",
      "https://a@b:c@example.com/sms",
      "https://[2001:db8::1]/sms",
      "https://[2001:db8::1]:443/sms",
      "http://[::1]:8080/sms",
      "https://example.com/sms?",
      "https://example.com/s ms?name=Zoë 's&x=1+2",
      "https://example.com/sms?a=%7e&b=~&c='",
      "https://example.com/sms?flag&empty=&a=1&a=2",
    ];
    const params = Object.fromEntries(new URLSearchParams(form));
    for (const signedUrl of urls) {
      const signature = twilioSdk.getExpectedTwilioSignature(token, signedUrl, params);
      for (const receivedUrl of urls) {
        const sdk = twilioSdk.validateRequest(token, signature, receivedUrl, params);
        const ours = verifyAt(form, signature, receivedUrl).ok;
        expect(`${signedUrl} at ${receivedUrl}: ${ours}`).toBe(`${signedUrl} at ${receivedUrl}: ${sdk}`);
      }
    }
  });

  it("uses HMAC-SHA256 when X-Twilio-Webhooks-Signature-Settings says so", () => {
    const sha256 = "033hgUJA9M/hXIZsYjwkerEP/DBm35nEri5FhCYjA5s=";
    const settings = {
      "X-Twilio-Webhooks-Signature-Settings": "key=webhooks_sharedkey_1,algorithm=HMAC_SHA256",
    };
    expect(verifyAt(form, sha256, url, settings)).toEqual({ ok: true });
    expect(verifyAt(form, sha256, url).ok).toBe(false);
    expect(
      verifyAt(form, sha256, url, { "X-Twilio-Webhooks-Signature-Settings": "algorithm=MD5" }),
    ).toMatchObject({
      code: "malformed-header",
    });
  });

  it("reads the algorithm from the settings header exactly as getSignatureAlgorithm does", () => {
    const settings = [
      "",
      "key=k1",
      "key=k1,algorithm=HMAC_SHA256",
      "key=k1, algorithm = hmac_sha256 ",
      "algorithm=HMAC_SHA1",
      "algorithm=,algorithm=HMAC_SHA256",
      "algorithmX,algorithm=HMAC_SHA256",
      "xalgorithm=HMAC_SHA256",
      "algorithm=MD5",
      "algorithm=HMAC_SHA256=x",
    ];
    const params = Object.fromEntries(new URLSearchParams(form));
    // The SDK warns on the console about an algorithm it does not know; that is its business.
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    try {
      for (const value of settings) {
        const named = twilioSdk.getSignatureAlgorithm(value);
        const known = ["HMAC_SHA1", "HMAC_SHA256"].includes(named.toUpperCase());
        for (const algorithm of ["HMAC_SHA1", "HMAC_SHA256"]) {
          const signature = twilioSdk.getExpectedTwilioSignature(token, url, params, algorithm);
          const sdk = twilioSdk.validateRequest(token, signature, url, params, named);
          const ours = verifyAt(form, signature, url, { "X-Twilio-Webhooks-Signature-Settings": value });
          expect(`${value} ${algorithm}: ${ours.ok}`).toBe(`${value} ${algorithm}: ${sdk}`);
          if (!known) {
            expect(ours).toMatchObject({
              code: "malformed-header",
              reason: "X-Twilio-Webhooks-Signature-Settings header is malformed: unknown algorithm",
            });
          }
        }
      }
    } finally {
      warn.mockRestore();
    }
  });

  it("says what is wrong: no signature, no secret, a body that is not the hashed one, the wrong URL", () => {
    expect(check(twilio, bytes(form), {}, [token], now, { url })).toEqual({
      ok: false,
      code: "missing-header",
      reason: "X-Twilio-Signature header is missing",
      hint: expect.any(String),
    });
    const signature = twilio.sign({ body: bytes(form), secret: token, timestamp: now, url })[
      "X-Twilio-Signature"
    ];
    const headers = { "X-Twilio-Signature": signature ?? "" };
    expect(check(twilio, bytes(form), headers, [], now, { url })).toMatchObject({ code: "no-secret" });
    expect(check(twilio, bytes(form), headers, [token], now, { url: `${url}&x=1` })).toMatchObject({
      code: "no-match",
      hint: expect.stringContaining("the URL must be exactly the one configured in Twilio"),
    });
    const hashed = "https://example.com/hook?bodySHA256=00";
    expect(check(twilio, bytes("{}"), headers, [token], now, { url: hashed })).toEqual({
      ok: false,
      code: "no-match",
      reason: "the body's SHA-256 differs from the URL's bodySHA256 parameter",
    });
    expect(check(twilio, bytes(form), headers, [token], now)).toMatchObject({
      code: "no-match",
      reason: "Twilio signs the full URL it called, and it is not known here",
    });
  });

  it("tells how to sign a JSON body: the URL with its bodySHA256", () => {
    const json = bytes(' \n[{"a":1}]');
    const hint = (at: string) => {
      try {
        twilio.sign({ body: json, secret: token, timestamp: now, url: at });
      } catch (error) {
        return (error as { hint?: string }).hint;
      }
      return "signed";
    };
    const expected = createHash("sha256").update(json).digest("hex");
    expect(hint("https://example.com/hook")).toBe(
      `send it to https://example.com/hook?bodySHA256=${expected}`,
    );
    expect(hint("https://example.com/hook?x=1")).toBe(
      `send it to https://example.com/hook?x=1&bodySHA256=${expected}`,
    );
    // A form body that merely contains a bracket later on is a form, signed as one.
    expect(twilio.sign({ body: bytes("Body=[x]"), secret: token, timestamp: now, url })).toHaveProperty(
      "X-Twilio-Signature",
    );
  });

  it("describes status callbacks by their status and SID, as the fixtures record them", () => {
    const fixture = (name: string) =>
      bytes(
        JSON.parse(readFileSync(new URL(`../../fixtures/twilio/${name}.json`, import.meta.url), "utf8"))
          .request.body,
      );
    expect(twilio.describe(fixture("message-status"), new Headers())).toEqual({
      type: "delivered",
      id: "SM2a0e8ae6ade43cb3c0ce4525424e4050",
    });
    expect(twilio.describe(fixture("voice"), new Headers())).toEqual({
      type: "ringing",
      id: "CA5e1f7c1d9a3b4c2d8e6f0a1b2c3d4e5f",
    });
    expect(twilio.describe(bytes("SmsSid=SM1&EventType=onMessageAdded"), new Headers())).toEqual({
      type: "onMessageAdded",
      id: "SM1",
    });
    expect(twilio.describe(bytes("Sid=XX1&MessageSid=&CallSid=CA9"), new Headers())).toEqual({
      type: undefined,
      id: "CA9",
    });
    expect(twilio.describe(bytes("Sid=XX1"), new Headers())).toEqual({ type: undefined, id: "XX1" });
    expect(twilio.describe(bytes(""), new Headers())).toEqual({ type: undefined, id: undefined });
  });

  it("says the URL is needed when it is not given", () => {
    expect(check(twilio, bytes(form), { "X-Twilio-Signature": "x" }, [token], now)).toMatchObject({
      ok: false,
      hint: expect.stringContaining("--url"),
    });
    expect(() => twilio.sign({ body: bytes(form), secret: token, timestamp: now })).toThrow(/--url/);
  });
});

describe("twilio --algorithm sha256", () => {
  it("signs as a SharedKey delivery, which the SDK and our verify accept", () => {
    const shared = getProvider("twilio", { algorithm: "sha256" });
    const headers = shared.sign({ body: bytes(form), secret: token, timestamp: now, url });
    expect(headers["X-Twilio-Signature"]).toBe("033hgUJA9M/hXIZsYjwkerEP/DBm35nEri5FhCYjA5s=");
    const params = Object.fromEntries(new URLSearchParams(form));
    expect(
      twilioSdk.validateRequest(token, headers["X-Twilio-Signature"] ?? "", url, params, "HMAC_SHA256"),
    ).toBe(true);
    expect(check(twilio, bytes(form), headers, [token], now, { url })).toEqual({ ok: true });
    expect(() => getProvider("twilio", { algorithm: "md5" })).toThrow(/--algorithm/);
  });
});
