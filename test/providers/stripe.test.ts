import Stripe from "stripe";
import { describe, expect, it } from "vitest";
import { getProvider } from "../../src/providers/index.js";
import { bytes, check, flipOneByte } from "./helpers.js";

const stripe = getProvider("stripe");
const secret = "whsec_test_secret";
const t = new Date(1_700_000_000_000);
const pretty = JSON.stringify({ id: "evt_test_webhook", object: "event" }, null, 2);

describe("stripe", () => {
  it("reproduces the stripe-node vectors (providers.md 1.3)", () => {
    expect(stripe.sign({ body: bytes(pretty), secret, timestamp: t })["Stripe-Signature"]).toBe(
      "t=1700000000,v1=4f1cd7feda9826e746b7d482c4badebb657398df1099e1046364f6196a230150",
    );
    const compact = stripe.sign({
      body: bytes('{"id":"evt_test_webhook","object":"event"}'),
      secret,
      timestamp: t,
    });
    expect(compact["Stripe-Signature"]).toContain(
      "v1=d95c6b7477fbd7e9f90b1b0ef5f9c7ac25abca5382460e0d988c2b2a5b71b990",
    );
  });

  it("is accepted by stripe-node, and accepts what stripe-node signs", () => {
    const header = stripe.sign({ body: bytes(pretty), secret, timestamp: t })["Stripe-Signature"] ?? "";
    expect(() =>
      Stripe.webhooks.constructEvent(pretty, header, secret, 300, undefined, t.getTime()),
    ).not.toThrow();
    const theirs = Stripe.webhooks.generateTestHeaderString({
      payload: pretty,
      secret,
      timestamp: 1_700_000_000,
    });
    expect(check(stripe, bytes(pretty), { "Stripe-Signature": theirs }, [secret], t)).toEqual({ ok: true });
    expect(check(stripe, flipOneByte(bytes(pretty)), { "Stripe-Signature": theirs }, [secret], t).ok).toBe(
      false,
    );
  });

  it("ignores v0 (downgrade) and says which part of the header is wrong", () => {
    const v1 = stripe.sign({ body: bytes("{}"), secret, timestamp: t })["Stripe-Signature"] ?? "";
    const v0Only = v1.replace("v1=", "v0=");
    expect(check(stripe, bytes("{}"), { "Stripe-Signature": v0Only }, [secret], t)).toMatchObject({
      code: "malformed-header",
      reason: expect.stringContaining("no v1= signature"),
    });
    expect(check(stripe, bytes("{}"), {}, [secret], t)).toMatchObject({
      reason: "Stripe-Signature header is missing",
    });
  });

  it("rejects an old timestamp by how much, and accepts future ones like stripe-node", () => {
    const headers = stripe.sign({ body: bytes("{}"), secret, timestamp: t });
    const later = new Date(t.getTime() + 301_000);
    expect(check(stripe, bytes("{}"), headers, [secret], later)).toMatchObject({
      code: "timestamp-too-old",
      reason: "timestamp too old: signed 5m 1s ago, 1s beyond the 5m tolerance",
    });
    expect(check(stripe, bytes("{}"), headers, [secret], new Date(t.getTime() - 3_600_000)).ok).toBe(true);
    expect(check(stripe, bytes("{}"), headers, [secret], later, { toleranceSeconds: 0 }).ok).toBe(true);
  });

  it("hints that an sk_ key is not the webhook secret", () => {
    expect(stripe.checkSecret?.("sk_test_123")).toMatch(/^that is a Stripe API key/);
    const headers = stripe.sign({ body: bytes("{}"), secret, timestamp: t });
    expect(check(stripe, bytes("{}"), headers, ["sk_test_123"], t)).toMatchObject({
      code: "no-match",
      hint: expect.stringContaining("Stripe API key"),
    });
  });
});
