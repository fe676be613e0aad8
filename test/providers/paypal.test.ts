import { createPrivateKey, verify as rsaVerify, X509Certificate } from "node:crypto";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { getProvider } from "../../src/providers/index.js";
import { paypalMessage } from "../../src/providers/paypal.js";
import { ensureTestKeys, makeTestCertificate, testKeyPaths } from "../../src/providers/paypal-cert.js";
import { bytes, check, flipOneByte } from "./helpers.js";

// A .txt, not .json: the formatter must never touch these exact bytes (CRC32 2771810304).
const sdkBody = readFileSync(fileURLToPath(new URL("./data/paypal-sdk-event.txt", import.meta.url)));
const now = new Date(1_700_000_000_000);
let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "hook-paypal-"));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe("paypal", () => {
  it("forms the PayPal SDK's signed message, CRC32 as an unsigned decimal", () => {
    expect(
      paypalMessage(
        "dfb3be50-fd74-11e4-8bf3-77339302725b",
        "2015-05-18T15:45:13Z",
        "4JH86294D6297924G",
        sdkBody,
      ),
    ).toBe("dfb3be50-fd74-11e4-8bf3-77339302725b|2015-05-18T15:45:13Z|4JH86294D6297924G|2771810304");
  });

  it("generates a self-signed certificate that Node and the verify side accept", () => {
    const { key, cert } = makeTestCertificate(now);
    const x509 = new X509Certificate(cert);
    expect(x509.verify(x509.publicKey)).toBe(true);
    expect(x509.subject).toBe("CN=hook local PayPal test");
    expect(key).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    // Valid from a minute before `now` (a clock a little behind) for ten years.
    expect(new Date(x509.validFrom).getTime()).toBe(now.getTime() - 60_000);
    expect(new Date(x509.validTo).getTime()).toBe(now.getTime() + 10 * 365 * 24 * 3600 * 1000);
    // RFC 7468: base64 lines of exactly 64 characters, the last one shorter.
    const lines = cert.trimEnd().split("\n");
    expect(lines[0]).toBe("-----BEGIN CERTIFICATE-----");
    expect(lines.at(-1)).toBe("-----END CERTIFICATE-----");
    const base64 = lines.slice(1, -1);
    expect(base64.slice(0, -1).every((line) => line.length === 64)).toBe(true);
    expect(base64.at(-1)?.length).toBeLessThanOrEqual(64);
    expect(cert.endsWith("-----END CERTIFICATE-----\n")).toBe(true);
  });

  it("makes the local test pair once, the private key readable by its owner only", () => {
    const first = ensureTestKeys(dir, now);
    expect(first).toEqual({
      keyPath: join(dir, "paypal", "key.pem"),
      certPath: join(dir, "paypal", "cert.pem"),
    });
    expect(statSync(first.keyPath).mode & 0o777).toBe(0o600);
    const key = readFileSync(first.keyPath, "utf8");
    const cert = new X509Certificate(readFileSync(first.certPath));
    expect(cert.checkPrivateKey(createPrivateKey(key))).toBe(true);
    ensureTestKeys(dir, now);
    expect(readFileSync(first.keyPath, "utf8")).toBe(key);
    expect(readdirSync(dir)).toEqual(["paypal"]);
  });

  it("keeps the pair another process put in place first, and leaves no temporary folder", () => {
    // The loser of the race: its rename finds the folder there, so it drops its own pair.
    mkdirSync(join(dir, "paypal"));
    writeFileSync(join(dir, "paypal", "cert.pem"), "theirs");
    const paths = ensureTestKeys(dir, now);
    expect(readFileSync(paths.certPath, "utf8")).toBe("theirs");
    expect(readdirSync(dir)).toEqual(["paypal"]);
  });

  it("signs with a generated local key pair and verifies with its certificate; one byte changed fails", () => {
    const paypal = getProvider("paypal", { webhookId: "4JH86294D6297924G", dataDir: dir });
    const headers = paypal.sign({ body: sdkBody, secret: "", timestamp: now, deliveryId: "tx-1" });
    expect(headers).toMatchObject({
      "PAYPAL-TRANSMISSION-ID": "tx-1",
      "PAYPAL-TRANSMISSION-TIME": "2023-11-14T22:13:20Z",
      "PAYPAL-AUTH-ALGO": "SHA256withRSA",
    });
    const certPath = join(dir, "paypal", "cert.pem");
    expect(headers["PAYPAL-CERT-URL"]).toBe(`file://${certPath}`);
    // The RSA step, as PayPal's SDK checks it: SHA256withRSA over the message, with the cert's key.
    const message = paypalMessage("tx-1", "2023-11-14T22:13:20Z", "4JH86294D6297924G", sdkBody);
    const publicKey = new X509Certificate(readFileSync(certPath)).publicKey;
    const sig = Buffer.from(headers["PAYPAL-TRANSMISSION-SIG"] ?? "", "base64");
    expect(rsaVerify("sha256", Buffer.from(message), publicKey, sig)).toBe(true);

    expect(check(paypal, sdkBody, headers, [], now)).toEqual({ ok: true });
    expect(check(paypal, sdkBody, { ...headers, "PAYPAL-AUTH-ALGO": "sha256" }, [], now)).toEqual({
      ok: true,
    });
    expect(check(paypal, sdkBody, { ...headers, "PAYPAL-AUTH-ALGO": "MD5withRSA" }, [], now)).toMatchObject({
      code: "malformed-header",
    });
    expect(check(paypal, flipOneByte(sdkBody), headers, [], now)).toMatchObject({ code: "no-match" });
    const otherId = getProvider("paypal", { webhookId: "OTHER", certFile: certPath });
    expect(check(otherId, sdkBody, headers, [], now)).toMatchObject({
      hint: expect.stringContaining("--webhook-id (OTHER)"),
    });
  });

  it("signs with a given key and verifies with a given certificate", () => {
    const { key, cert } = makeTestCertificate(now, "api.sandbox.paypal.com");
    writeFileSync(join(dir, "k.pem"), key);
    writeFileSync(join(dir, "c.pem"), cert);
    const signer = getProvider("paypal", {
      webhookId: "W",
      keyFile: join(dir, "k.pem"),
      certFile: join(dir, "c.pem"),
    });
    const headers = signer.sign({ body: bytes('{"id":"WH-1"}'), secret: "", timestamp: now });
    const verifier = getProvider("paypal", { webhookId: "W", certFile: join(dir, "c.pem") });
    expect(check(verifier, bytes('{"id":"WH-1"}'), headers, [], now)).toEqual({ ok: true });
    const stranger = makeTestCertificate(now);
    writeFileSync(join(dir, "other.pem"), stranger.cert);
    const wrongCert = getProvider("paypal", { webhookId: "W", certFile: join(dir, "other.pem") });
    expect(check(wrongCert, bytes('{"id":"WH-1"}'), headers, [], now)).toMatchObject({ code: "no-match" });
  });

  it("asks for what it needs: --webhook-id, a readable --cert, the transmission headers", () => {
    expect(() => getProvider("paypal")).toThrow("--webhook-id is required for provider paypal");
    expect(() => getProvider("paypal", { webhookId: "W", certFile: join(dir, "nope.pem") })).toThrow(
      /--cert: cannot use/,
    );
    const paypal = getProvider("paypal", { webhookId: "W", dataDir: dir });
    expect(check(paypal, sdkBody, {}, [], now)).toMatchObject({
      reason: "PAYPAL-TRANSMISSION-ID header is missing",
    });
    const headers = {
      "PAYPAL-TRANSMISSION-ID": "a",
      "PAYPAL-TRANSMISSION-TIME": "b",
      "PAYPAL-TRANSMISSION-SIG": "c",
    };
    expect(check(paypal, sdkBody, headers, [], now)).toMatchObject({
      code: "no-secret",
      hint: expect.stringContaining("--cert"),
    });
    expect(paypal.describe(sdkBody, new Headers(headers))).toEqual({
      type: "PAYMENT.SALE.COMPLETED",
      id: "WH-0G2756385H040842W-5Y612302CV158622M",
      deliveryId: "a",
    });
  });

  it("names each missing transmission header and an algorithm that is not SHAnnnwithRSA", () => {
    const paypal = getProvider("paypal", { webhookId: "W", dataDir: dir });
    const headers = paypal.sign({ body: sdkBody, secret: "", timestamp: now, deliveryId: "tx-1" });
    for (const name of ["PAYPAL-TRANSMISSION-ID", "PAYPAL-TRANSMISSION-TIME", "PAYPAL-TRANSMISSION-SIG"]) {
      const without = Object.fromEntries(Object.entries(headers).filter(([key]) => key !== name));
      expect(check(paypal, sdkBody, without, [], now)).toMatchObject({ reason: `${name} header is missing` });
    }
    const algo = (value: string) =>
      check(paypal, sdkBody, { ...headers, "PAYPAL-AUTH-ALGO": value }, [], now);
    expect(algo(" SHA256withRSA ")).toEqual({ ok: true });
    expect(algo("SHA256WITHRSA")).toEqual({ ok: true });
    for (const bad of ["xSHA256withRSA", "SHA256withRSAx", "SHA257withRSA"]) {
      expect(algo(bad)).toEqual({
        ok: false,
        code: "malformed-header",
        reason: `PAYPAL-AUTH-ALGO header is malformed: "${bad}" is not SHAnnnwithRSA`,
      });
    }
    expect(check(paypal, sdkBody, { ...headers, "PAYPAL-TRANSMISSION-SIG": "AAAA" }, [], now)).toMatchObject({
      ok: false,
      code: "no-match",
      reason: "no signature matches",
    });
  });

  it("says there is no certificate to check with, and what is wrong with a --cert or --private-key", () => {
    const bare = getProvider("paypal", { webhookId: "W", dataDir: join(dir, "empty") });
    const headers = {
      "PAYPAL-TRANSMISSION-ID": "a",
      "PAYPAL-TRANSMISSION-TIME": "b",
      "PAYPAL-TRANSMISSION-SIG": "c",
    };
    expect(check(bare, sdkBody, headers, [], now)).toEqual({
      ok: false,
      code: "no-secret",
      reason: "no certificate to check PayPal's RSA signature with",
      hint: "download the PEM from PAYPAL-CERT-URL and pass it with --cert (hook never fetches it)",
    });
    writeFileSync(join(dir, "junk.pem"), "not a certificate");
    const junk = () => getProvider("paypal", { webhookId: "W", certFile: join(dir, "junk.pem") });
    expect(junk).toThrow(`--cert: cannot use ${join(dir, "junk.pem")}: not a PEM certificate`);
    expect(junk).toThrow(expect.objectContaining({ hint: "the PEM certificate PAYPAL-CERT-URL points to" }));
    expect(() => getProvider("paypal", {})).toThrow(
      expect.objectContaining({
        hint: expect.stringContaining("the webhook's ID in the PayPal developer dashboard"),
      }),
    );
    const signer = (keyFile: string) =>
      getProvider("paypal", { webhookId: "W", keyFile }).sign({ body: sdkBody, secret: "", timestamp: now });
    expect(() => signer(join(dir, "junk.pem"))).toThrow(
      `--private-key: cannot use ${join(dir, "junk.pem")}: not a PEM private key`,
    );
    expect(() => signer(join(dir, "none.pem"))).toThrow(
      `--private-key: cannot use ${join(dir, "none.pem")}: ENOENT`,
    );
  });

  it("reports a broken local certificate as a request it cannot check, not a crash", () => {
    mkdirSync(join(dir, "paypal"));
    writeFileSync(join(dir, "paypal", "cert.pem"), "garbage");
    const paypal = getProvider("paypal", { webhookId: "W", dataDir: dir });
    const headers = {
      "PAYPAL-TRANSMISSION-ID": "a",
      "PAYPAL-TRANSMISSION-TIME": "b",
      "PAYPAL-TRANSMISSION-SIG": "c",
    };
    expect(check(paypal, sdkBody, headers, [], now)).toEqual({
      ok: false,
      code: "malformed-header",
      reason: expect.stringMatching(
        /^cannot check the signature: --cert: cannot use .*cert\.pem: not a PEM certificate$/,
      ),
    });
  });

  it("names no certificate URL when signing with a key of one's own and no --cert", () => {
    const { key } = makeTestCertificate(now);
    writeFileSync(join(dir, "k.pem"), key);
    const headers = getProvider("paypal", { webhookId: "W", keyFile: join(dir, "k.pem") }).sign({
      body: sdkBody,
      secret: "",
      timestamp: new Date(1_700_000_000_999),
    });
    expect(Object.keys(headers)).not.toContain("PAYPAL-CERT-URL");
    expect(headers["PAYPAL-TRANSMISSION-TIME"]).toBe("2023-11-14T22:13:20Z");
    expect(readdirSync(dir)).toEqual(["k.pem"]);
  });

  it("keeps its local test pair under .hook in the working folder by default", () => {
    expect(testKeyPaths()).toEqual({
      keyPath: join(process.cwd(), ".hook", "paypal", "key.pem"),
      certPath: join(process.cwd(), ".hook", "paypal", "cert.pem"),
    });
  });
});
