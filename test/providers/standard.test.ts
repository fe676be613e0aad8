import { Webhook as StandardWebhook } from "standardwebhooks";
import { Webhook as SvixWebhook } from "svix";
import { describe, expect, it } from "vitest";
import { getProvider } from "../../src/providers/index.js";
import { bytes, check, flipOneByte } from "./helpers.js";

const standard = getProvider("standard");
const svix = getProvider("svix");
const key = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const msgId = "msg_p5jXN8AQM9LWM0D4loKWxJek";
const at = new Date(1_614_265_330_000);

describe("standard (Standard Webhooks) and svix", () => {
  it("reproduces the standard-webhooks test vector", () => {
    const headers = standard.sign({
      body: bytes('{"test": 2432232314}'),
      secret: key,
      timestamp: at,
      deliveryId: msgId,
    });
    expect(headers).toEqual({
      "webhook-id": msgId,
      "webhook-timestamp": "1614265330",
      "webhook-signature": "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
    });
  });

  it("agrees with standardwebhooks and svix both ways (real clock: the SDKs have no clock option)", () => {
    const now = new Date();
    const body = '{"type":"invoice.paid","data":{"amount":5,"note":"ünïcode \\u00e9"}}';
    const ours = standard.sign({ body: bytes(body), secret: key, timestamp: now });
    expect(() => new StandardWebhook(key).verify(body, ours)).not.toThrow();
    const oursSvix = svix.sign({ body: bytes(body), secret: key, timestamp: now });
    expect(Object.keys(oursSvix)).toEqual(["svix-id", "svix-timestamp", "svix-signature"]);
    expect(() => new SvixWebhook(key).verify(body, oursSvix)).not.toThrow();

    const id = "msg_abc";
    const sig = new SvixWebhook(key).sign(id, now, body);
    const svixHeaders = {
      "svix-id": id,
      "svix-timestamp": String(Math.floor(now.getTime() / 1000)),
      "svix-signature": sig,
    };
    expect(check(standard, bytes(body), svixHeaders, [key], now)).toEqual({ ok: true });
    const std = new StandardWebhook(key).sign(id, now, body);
    const webhookHeaders = {
      "webhook-id": id,
      "webhook-timestamp": svixHeaders["svix-timestamp"],
      "webhook-signature": std,
    };
    expect(check(svix, bytes(body), webhookHeaders, [key], now)).toEqual({ ok: true });
    expect(check(standard, flipOneByte(bytes(body)), webhookHeaders, [key], now).ok).toBe(false);
  });

  it("finds the valid signature among several, skipping other versions", () => {
    const headers = standard.sign({ body: bytes("x"), secret: key, timestamp: at, deliveryId: "m" });
    const valid = headers["webhook-signature"];
    headers["webhook-signature"] = `v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc= v2,abc ${valid} v1a,xyz`;
    expect(check(standard, bytes("x"), headers, [key], at)).toEqual({ ok: true });
  });

  it("rejects timestamps more than 5 minutes away in either direction", () => {
    const headers = standard.sign({ body: bytes("x"), secret: key, timestamp: at, deliveryId: "m" });
    expect(check(standard, bytes("x"), headers, [key], new Date(at.getTime() + 400_000))).toMatchObject({
      code: "timestamp-too-old",
      reason: "timestamp too old: signed 6m 40s ago, 1m 40s beyond the 5m tolerance",
    });
    expect(check(standard, bytes("x"), headers, [key], new Date(at.getTime() - 400_000))).toMatchObject({
      code: "timestamp-too-new",
      reason: expect.stringContaining("in the future"),
    });
  });

  it("names each missing header and a list without v1", () => {
    expect(check(standard, bytes("x"), {}, [key], at)).toMatchObject({
      reason: "webhook-id (or svix-id) header is missing",
    });
    const noV1 = { "webhook-id": "m", "webhook-timestamp": "1614265330", "webhook-signature": "v1a,xyz" };
    expect(check(standard, bytes("x"), noV1, [key], at)).toMatchObject({ code: "malformed-header" });
  });

  it("reads svix-* before webhook-*, and names the malformed timestamp by the header it read", () => {
    const ours = standard.sign({ body: bytes("x"), secret: key, timestamp: at, deliveryId: "m" });
    const both = {
      ...ours,
      "svix-id": "m",
      "svix-timestamp": ours["webhook-timestamp"] ?? "",
      "svix-signature": "v1,AAAA",
    };
    expect(check(standard, bytes("x"), both, [key], at)).toMatchObject({ code: "no-match" });
    expect(check(standard, bytes("x"), { ...ours, "webhook-timestamp": "soon" }, [key], at)).toMatchObject({
      reason: "webhook-timestamp header is malformed: it is not unix seconds",
    });
    expect(check(standard, bytes("x"), { ...both, "svix-timestamp": "1.5" }, [key], at)).toMatchObject({
      reason: "svix-timestamp header is malformed: it is not unix seconds",
    });
    expect(check(standard, bytes("x"), { ...ours, "webhook-signature": "v2,abc" }, [key], at)).toMatchObject({
      reason: 'webhook-signature header is malformed: no "v1,<base64>" signature in it',
    });
    expect(check(standard, bytes("x"), { ...ours, "webhook-signature": "v1," }, [key], at)).toMatchObject({
      code: "malformed-header",
    });
    const { "webhook-timestamp": _t, ...noTs } = ours;
    expect(check(standard, bytes("x"), noTs, [key], at)).toMatchObject({
      reason: "webhook-timestamp (or svix-timestamp) header is missing",
    });
    const { "webhook-signature": _s, ...noSig } = ours;
    expect(check(standard, bytes("x"), noSig, [key], at)).toMatchObject({
      reason: "webhook-signature (or svix-signature) header is missing",
    });
    expect(check(standard, bytes("x"), ours, [], at)).toMatchObject({ code: "no-secret" });
  });

  it("takes the key with or without whsec_, checks its shape, and describes type or eventType", () => {
    const bare = key.slice("whsec_".length);
    const ours = standard.sign({ body: bytes("x"), secret: bare, timestamp: at, deliveryId: "m" });
    expect(check(standard, bytes("x"), ours, [key], at)).toEqual({ ok: true });
    expect(standard.checkSecret?.(key)).toBeUndefined();
    expect(standard.checkSecret?.(bare)).toBeUndefined();
    expect(standard.checkSecret?.("whsec_not base64!")).toBe(
      "the secret should be whsec_ followed by base64",
    );
    expect(standard.checkSecret?.("x whsec_AAAA")).toBe("the secret should be whsec_ followed by base64");
    expect(standard.checkSecret?.("whsec_AAAA=")).toBeUndefined();
    expect(standard.checkSecret?.("whsec_AAAA===")).toBeDefined();
    const headers = new Headers({ "webhook-id": "msg_1" });
    expect(standard.describe(bytes('{"eventType":"user.created"}'), headers)).toEqual({
      type: "user.created",
      id: "msg_1",
      deliveryId: "msg_1",
    });
    expect(standard.describe(bytes('{"type":"a","eventType":"b"}'), new Headers())).toMatchObject({
      type: "a",
    });
    expect(svix.sign({ body: bytes("x"), secret: key, timestamp: at })["svix-id"]).toMatch(
      /^msg_[0-9a-f]{32}$/,
    );
  });
});
