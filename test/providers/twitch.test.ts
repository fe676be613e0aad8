import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { getProvider } from "../../src/providers/index.js";
import { bytes, check, flipOneByte } from "./helpers.js";

const twitch = getProvider("twitch");
const secret = "keepItSecretKeepItSafe";
const id = "e6b3a1c6-1d2b-4b7a-9d8e-0f1e2d3c4b5a";
const ts = "2023-11-01T00:00:00.123456789Z";
const body = '{"subscription":{"type":"channel.follow"}}';
const at = new Date(Date.parse(ts));
const vector = {
  "Twitch-Eventsub-Message-Id": id,
  "Twitch-Eventsub-Message-Timestamp": ts,
  "Twitch-Eventsub-Message-Signature":
    "sha256=50bb515e997c88d55e3fd7bc10b24b7ad6d3614bd0c633f8b030cad6f66ff940",
};

describe("twitch", () => {
  it("verifies the vector, with the nanosecond timestamp signed as sent", () => {
    expect(check(twitch, bytes(body), vector, [secret], at)).toEqual({ ok: true });
    expect(check(twitch, flipOneByte(bytes(body)), vector, [secret], at).ok).toBe(false);
  });

  it("signs as Twitch's sample verifies: sha256=HMAC(id + timestamp + body)", () => {
    const headers = twitch.sign({ body: bytes(body), secret, timestamp: at, deliveryId: id });
    const ts2 = headers["Twitch-Eventsub-Message-Timestamp"] ?? "";
    const expected = `sha256=${createHmac("sha256", secret)
      .update(id + ts2 + body)
      .digest("hex")}`;
    expect(headers["Twitch-Eventsub-Message-Signature"]).toBe(expected);
    expect(headers["Twitch-Eventsub-Message-Type"]).toBe("notification");
    expect(headers["Twitch-Eventsub-Subscription-Type"]).toBe("channel.follow");
    expect(check(twitch, bytes(body), headers, [secret], at)).toEqual({ ok: true });
  });

  it("rejects messages older than 10 minutes", () => {
    expect(check(twitch, bytes(body), vector, [secret], new Date(at.getTime() + 11 * 60_000))).toMatchObject({
      code: "timestamp-too-old",
      reason: expect.stringContaining("beyond the 10m tolerance"),
    });
  });

  it("answers webhook_callback_verification with the challenge as text/plain", () => {
    const challenge =
      '{"challenge":"pogchamp-kappa-360noscope-vohiyo","subscription":{"type":"channel.follow"}}';
    const headers = new Headers({ "Twitch-Eventsub-Message-Type": "webhook_callback_verification" });
    const answer = twitch.handshake?.({ method: "POST", url: "/", headers, body: bytes(challenge) });
    expect(answer).toEqual({
      status: 200,
      headers: { "content-type": "text/plain" },
      body: "pogchamp-kappa-360noscope-vohiyo",
    });
    const notification = new Headers({ "Twitch-Eventsub-Message-Type": "notification" });
    expect(
      twitch.handshake?.({ method: "POST", url: "/", headers: notification, body: bytes(challenge) }),
    ).toBeUndefined();
    expect(
      twitch.sign({ body: bytes(challenge), secret, timestamp: at })["Twitch-Eventsub-Message-Type"],
    ).toBe("webhook_callback_verification");
  });

  it("describes subscription type and message id; names missing headers", () => {
    expect(twitch.describe(bytes(body), new Headers(vector))).toEqual({
      type: "channel.follow",
      id,
      deliveryId: id,
    });
    const { "Twitch-Eventsub-Message-Id": _, ...noId } = vector;
    expect(check(twitch, bytes(body), noId, [secret], at)).toMatchObject({
      reason: "Twitch-Eventsub-Message-Id header is missing",
    });
  });
});

describe("twitch message type", () => {
  it("signs a revoked subscription as a revocation", () => {
    const revoked = '{"subscription":{"id":"f1","status":"authorization_revoked","type":"channel.follow"}}';
    const headers = twitch.sign({ body: bytes(revoked), secret, timestamp: at });
    expect(headers["Twitch-Eventsub-Message-Type"]).toBe("revocation");
  });
});
