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

  it("names each malformed part, and needs a secret", () => {
    const reason = (headers: Record<string, string>) => {
      const verdict = check(twitch, bytes(body), { ...vector, ...headers }, [secret], at);
      return verdict.ok ? "ok" : verdict.reason;
    };
    expect(reason({ "Twitch-Eventsub-Message-Timestamp": "yesterday" })).toBe(
      "Twitch-Eventsub-Message-Timestamp header is malformed: it is not RFC 3339",
    );
    expect(reason({ "Twitch-Eventsub-Message-Signature": "sha1=00" })).toBe(
      "Twitch-Eventsub-Message-Signature header is malformed: it must start with sha256=",
    );
    expect(reason({ "Twitch-Eventsub-Message-Signature": "sha256=xyz" })).toBe(
      "Twitch-Eventsub-Message-Signature header is malformed: after sha256= comes a hex digest",
    );
    const { "Twitch-Eventsub-Message-Timestamp": _, ...noTs } = vector;
    expect(check(twitch, bytes(body), noTs, [secret], at)).toMatchObject({
      reason: "Twitch-Eventsub-Message-Timestamp header is missing",
    });
    expect(check(twitch, bytes(body), {}, [secret], at)).toMatchObject({
      reason: "Twitch-Eventsub-Message-Signature header is missing",
    });
    expect(check(twitch, bytes(body), vector, [], at)).toMatchObject({ code: "no-secret" });
    expect(check(twitch, bytes(body), vector, ["another-secret"], at)).toMatchObject({
      code: "no-match",
      hint: expect.stringContaining("the one given when the EventSub subscription was created"),
    });
    // Past only, as twurple: a timestamp ahead of the clock passes.
    expect(check(twitch, bytes(body), vector, [secret], new Date(at.getTime() - 3_600_000))).toEqual({
      ok: true,
    });
    expect(check(twitch, bytes(body), vector, [secret], new Date(at.getTime() + 600_000))).toEqual({
      ok: true,
    });
  });

  it("sends the subscription's version and a retry count, and signs a fresh id when none is given", () => {
    const event = '{"subscription":{"type":"channel.follow","version":"2","status":"enabled"},"event":{}}';
    const headers = twitch.sign({ body: bytes(event), secret, timestamp: at });
    expect(headers).toMatchObject({
      "Twitch-Eventsub-Message-Retry": "0",
      "Twitch-Eventsub-Message-Type": "notification",
      "Twitch-Eventsub-Subscription-Version": "2",
      "Twitch-Eventsub-Message-Timestamp": at.toISOString(),
    });
    expect(headers["Twitch-Eventsub-Message-Id"]).toMatch(/^[0-9a-f-]{36}$/);
    const bare = twitch.sign({ body: bytes("{}"), secret, timestamp: at });
    expect(Object.keys(bare)).not.toContain("Twitch-Eventsub-Subscription-Type");
    expect(Object.keys(bare)).not.toContain("Twitch-Eventsub-Subscription-Version");
    for (const status of [
      "authorization_revoked",
      "user_removed",
      "notification_failures_exceeded",
      "version_removed",
      "moderator_removed",
    ]) {
      const revoked = JSON.stringify({ subscription: { type: "channel.follow", status } });
      expect(
        twitch.sign({ body: bytes(revoked), secret, timestamp: at })["Twitch-Eventsub-Message-Type"],
      ).toBe("revocation");
    }
  });

  it("answers only a POSTed verification that carries a challenge", () => {
    const verification = new Headers({ "Twitch-Eventsub-Message-Type": "webhook_callback_verification" });
    const request = { method: "POST", url: "/", headers: verification, body: bytes('{"challenge":"c1"}') };
    expect(twitch.handshake?.(request)?.body).toBe("c1");
    expect(twitch.handshake?.({ ...request, method: "GET" })).toBeUndefined();
    expect(twitch.handshake?.({ ...request, body: bytes('{"subscription":{}}') })).toBeUndefined();
  });

  it("describes the type from the header before the body, and accepts 10 to 100 character secrets", () => {
    const headers = new Headers({ "Twitch-Eventsub-Subscription-Type": "stream.online" });
    expect(twitch.describe(bytes(body), headers).type).toBe("stream.online");
    expect(twitch.describe(bytes("x"), new Headers())).toEqual({
      type: undefined,
      id: undefined,
      deliveryId: undefined,
    });
    expect(twitch.checkSecret?.("a".repeat(10))).toBeUndefined();
    expect(twitch.checkSecret?.("a".repeat(100))).toBeUndefined();
    expect(twitch.checkSecret?.("a".repeat(9))).toBe("a Twitch EventSub secret is 10-100 characters long");
    expect(twitch.checkSecret?.("a".repeat(101))).toBe("a Twitch EventSub secret is 10-100 characters long");
  });
});
