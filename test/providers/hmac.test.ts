import { describe, expect, it } from "vitest";
import { getProvider } from "../../src/providers/index.js";
import { bytes, check, flipOneByte } from "./helpers.js";

const now = new Date(1_700_000_000_000);
const body = bytes('{"hello":"world"}');
const vectors: [string, string, string][] = [
  ["sha1", "hex", "d885c88700dea0624580d1365f2a5f25af5ade98"],
  ["sha256", "hex", "c5ea6542cb731d59005472d10164434c5b64ae51f6372f72447e46d1536492ee"],
  [
    "sha512",
    "hex",
    "e5f102593eae081d01ddf04a8218bccea853ee09e01676f5b7e3a6a97fc0e2ccf628564743f66712cc1e04ff2fb518b0c5c2d089e87b0cdbac4074bc7ef8cfbc",
  ],
  ["sha1", "base64", "2IXIhwDeoGJFgNE2XypfJa9a3pg="],
  ["sha256", "base64", "xeplQstzHVkAVHLRAWRDTFtkrlH2Ny9yRH5G0VNkku4="],
  [
    "sha512",
    "base64",
    "5fECWT6uCB0B3fBKghi8zqhT7gngFnb1t+OmqX/A4sz2KFZHQ/ZnEsweBP8vtRiwxcLQieh7DNusQHS8fvjPvA==",
  ],
];

describe("hmac (generic)", () => {
  it.each(vectors)("reproduces %s %s from providers.md 13", (algorithm, encoding, expected) => {
    const hmac = getProvider("hmac", { signatureHeader: "X-Signature", algorithm, encoding, prefix: "sig=" });
    const headers = hmac.sign({ body, secret: "s3cr3t", timestamp: now });
    expect(headers).toEqual({ "X-Signature": `sig=${expected}` });
    expect(check(hmac, body, headers, ["s3cr3t"], now)).toEqual({ ok: true });
    expect(check(hmac, flipOneByte(body), headers, ["s3cr3t"], now).ok).toBe(false);
  });

  it("accepts upper-case hex, and says when the prefix or encoding is wrong", () => {
    const hmac = getProvider("hmac", { signatureHeader: "X-Sig", prefix: "sha256=" });
    const upper = { "X-Sig": "sha256=C5EA6542CB731D59005472D10164434C5B64AE51F6372F72447E46D1536492EE" };
    expect(check(hmac, body, upper, ["s3cr3t"], now)).toEqual({ ok: true });
    expect(check(hmac, body, { "X-Sig": "c5ea" }, ["s3cr3t"], now)).toMatchObject({
      reason: 'X-Sig header is malformed: it does not start with "sha256="',
    });
    expect(check(hmac, body, { "X-Sig": "sha256=zz" }, ["s3cr3t"], now)).toMatchObject({
      code: "malformed-header",
    });
    expect(check(hmac, body, {}, ["s3cr3t"], now)).toMatchObject({ reason: "X-Sig header is missing" });
  });

  it("requires --signature-header and a known algorithm and encoding, naming the flag", () => {
    expect(() => getProvider("hmac")).toThrow("--signature-header is required for provider hmac");
    expect(() => getProvider("hmac", { signatureHeader: "X", algorithm: "md5" })).toThrow(
      /--algorithm: "md5"/,
    );
    expect(() => getProvider("hmac", { signatureHeader: "X", encoding: "base32" })).toThrow(
      /--encoding: "base32"/,
    );
  });

  it("decodes base64 padding and all, trims the value, and names what to check on a mismatch", () => {
    const hmac = getProvider("hmac", { signatureHeader: "X-Sig", encoding: "BASE64", algorithm: "SHA256" });
    const good = "xeplQstzHVkAVHLRAWRDTFtkrlH2Ny9yRH5G0VNkku4=";
    expect(check(hmac, body, { "X-Sig": ` ${good} ` }, ["s3cr3t"], now)).toEqual({ ok: true });
    expect(
      check(hmac, body, { "X-Sig": "xeplQstzHVkAVHLRAWRDTFtkrlH2Ny9yRH5G0VNkku4" }, ["s3cr3t"], now),
    ).toEqual({
      ok: true,
    });
    for (const bad of [`${good}x=`, `a${good.slice(0, -1)}!`, `${good}===`]) {
      expect(check(hmac, body, { "X-Sig": bad }, ["s3cr3t"], now)).toMatchObject({
        code: "malformed-header",
        reason: "X-Sig header is malformed: the signature is not base64",
      });
    }
    expect(check(hmac, body, { "X-Sig": good }, [], now)).toMatchObject({ code: "no-secret" });
    expect(check(hmac, body, { "X-Sig": good }, ["other"], now)).toMatchObject({
      code: "no-match",
      hint: expect.stringMatching(
        /^check --algorithm \(sha256\), --encoding \(base64\) and --prefix against the sender's docs; /,
      ),
    });
    expect(hmac.signatureHeaders).toEqual(["x-sig"]);
    expect(hmac.describe(bytes('{"event":"order.paid","id":7}'), new Headers())).toEqual({
      type: "order.paid",
      id: "7",
    });
    expect(hmac.describe(bytes('{"type":"a","event":"b"}'), new Headers())).toMatchObject({ type: "a" });
    expect(() => getProvider("hmac", { signatureHeader: "X", algorithm: "md5" })).toThrow(
      '--algorithm: "md5" is not one of sha1, sha256, sha512',
    );
    expect(() => getProvider("hmac", { signatureHeader: "X", encoding: "base32" })).toThrow(
      '--encoding: "base32" is not one of hex, base64',
    );
    expect(() => getProvider("hmac")).toThrow(
      expect.objectContaining({ hint: "for example --signature-header X-Signature" }),
    );
  });
});
