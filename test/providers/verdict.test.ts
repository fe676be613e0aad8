import { describe, expect, it } from "vitest";
import { getProvider } from "../../src/providers/index.js";
import { bytes, check } from "./helpers.js";

const at = new Date(1_700_000_000_000);
const key = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const standard = getProvider("standard");
const stripe = getProvider("stripe");
const signed = standard.sign({ body: bytes("{}"), secret: key, timestamp: at, deliveryId: "m" });
/** The verdict on the same delivery received `seconds` after it was signed (negative: before). */
const receivedAfter = (seconds: number, toleranceSeconds?: number) =>
  check(standard, bytes("{}"), signed, [key], new Date(at.getTime() + seconds * 1000), { toleranceSeconds });

describe("the replay window", () => {
  it("accepts a delivery exactly at the tolerance, either way, and rejects one a second beyond", () => {
    expect(receivedAfter(300)).toEqual({ ok: true });
    expect(receivedAfter(-300)).toEqual({ ok: true });
    expect(receivedAfter(301)).toMatchObject({
      code: "timestamp-too-old",
      reason: "timestamp too old: signed 5m 1s ago, 1s beyond the 5m tolerance",
    });
    expect(receivedAfter(-301)).toEqual({
      ok: false,
      code: "timestamp-too-new",
      reason: "timestamp too new: signed 5m 1s in the future, 1s beyond the 5m tolerance",
      hint: "check this machine's clock",
    });
  });

  it("says by how much in days, hours, minutes and seconds, leaving out the zero parts", () => {
    const old = 2 * 86_400 + 3 * 3600 + 4 * 60 + 5;
    expect(receivedAfter(old)).toEqual({
      ok: false,
      code: "timestamp-too-old",
      reason: "timestamp too old: signed 2d 3h 4m 5s ago, 2d 2h 59m 5s beyond the 5m tolerance",
      hint: "a replay of an old delivery? re-sign it with `hook replay`, or check this machine's clock",
    });
    expect(receivedAfter(86_400 + 7, 3600)).toMatchObject({
      reason: "timestamp too old: signed 1d 7s ago, 23h 7s beyond the 1h tolerance",
    });
    expect(receivedAfter(-(3 * 86_400), 61)).toMatchObject({
      reason: "timestamp too new: signed 3d in the future, 2d 23h 58m 59s beyond the 1m 1s tolerance",
    });
  });

  it("is off with a tolerance of 0, and follows a tolerance that is given", () => {
    expect(receivedAfter(10 * 365 * 86_400, 0)).toEqual({ ok: true });
    expect(receivedAfter(-10 * 365 * 86_400, 0)).toEqual({ ok: true });
    expect(receivedAfter(11, 10)).toMatchObject({ code: "timestamp-too-old" });
    expect(receivedAfter(10, 10)).toEqual({ ok: true });
    // Stripe counts whole seconds, as stripe-node does: 300.999 s old is still 300.
    const headers = stripe.sign({ body: bytes("{}"), secret: "whsec_x", timestamp: at });
    expect(check(stripe, bytes("{}"), headers, ["whsec_x"], new Date(at.getTime() + 300_999))).toEqual({
      ok: true,
    });
  });
});

describe("the reasons a verdict gives", () => {
  it("asks for a secret when there is none, and says what a missing header suggests", () => {
    expect(check(standard, bytes("{}"), signed, [], at)).toEqual({
      ok: false,
      code: "no-secret",
      reason: "no secret to verify with",
      hint: "pass --secret or set HOOK_SECRET",
    });
    expect(check(standard, bytes("{}"), {}, [key], at)).toEqual({
      ok: false,
      code: "missing-header",
      reason: "webhook-id (or svix-id) header is missing",
      hint: "is the request from the provider, and is its signing secret set?",
    });
  });

  it("puts the provider's own hint before the general one on a mismatch, or the general one alone", () => {
    const other = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD";
    expect(check(standard, bytes("{}"), signed, [other], at)).toEqual({
      ok: false,
      code: "no-match",
      reason: "no signature matches",
      hint: "the body may have been changed in transit, or the secret is not this endpoint's",
    });
    expect(check(standard, bytes("{}"), signed, ["C2FVsBQIhrscChlQIMV+b5sSYspob7oD"], at)).toMatchObject({
      hint: "a Standard Webhooks secret is whsec_ followed by base64; copy it whole from the sender; the body may have been changed in transit, or the secret is not this endpoint's",
    });
  });
});
