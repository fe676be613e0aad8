import { Webhook } from "standardwebhooks";
import Stripe from "stripe";
import { describe, expect, it } from "vitest";
import type { OutboxEntry } from "../../src/deliver/journal.js";
import { signer } from "../../src/deliver/resign.js";
import { getProvider } from "../../src/providers/index.js";

const STRIPE_SECRET = "whsec_resign_test";
const STANDARD_KEY = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const payload = '{"id":"evt_r","type":"invoice.paid"}';

const outboxEntry = (more: Partial<OutboxEntry> = {}): OutboxEntry => ({
  seq: 7,
  receivedAt: new Date(0).toISOString(),
  method: "PUT",
  path: "/hooks?x=1",
  headers: [
    ["Stripe-Signature", "t=1,v1=00"],
    ["X-Keep", "yes"],
  ],
  body: Buffer.from(payload),
  ...more,
});

const headerMap = (pairs: [string, string][]) => Object.fromEntries(pairs);

describe("each outbox attempt signed afresh", () => {
  it("stripe: a new signature the Stripe SDK accepts now, the old one gone, the rest kept", () => {
    const sign = signer(getProvider("stripe"), STRIPE_SECRET);
    const request = sign.request(outboxEntry({ provider: "stripe" }), new Date());
    const headers = headerMap(request.headers);
    expect(request.headers.filter(([name]) => name.toLowerCase() === "stripe-signature")).toHaveLength(1);
    expect(headers["stripe-signature"]).not.toBe("t=1,v1=00");
    expect(
      Stripe.webhooks.constructEvent(
        Buffer.from(request.body),
        headers["stripe-signature"] as string,
        STRIPE_SECRET,
      ).id,
    ).toBe("evt_r");
    expect(headers["x-keep"]).toBe("yes");
    expect([request.method, request.path, Buffer.from(request.body).toString()]).toEqual([
      "PUT",
      "/hooks?x=1",
      payload,
    ]);
    expect(sign.staleAfter(outboxEntry({ provider: "stripe" }))).toBeUndefined();
  });

  it("standard webhooks: the same webhook-id, so the app's idempotency sees a redelivery", () => {
    const sign = signer(getProvider("standard"), STANDARD_KEY);
    const at = new Date();
    const request = sign.request(
      outboxEntry({ provider: "standard", deliveryId: "msg_keep", headers: [["webhook-id", "msg_keep"]] }),
      at,
    );
    const headers = headerMap(request.headers);
    expect(headers["webhook-id"]).toBe("msg_keep");
    expect(headers["webhook-timestamp"]).toBe(String(Math.floor(at.getTime() / 1000)));
    expect(() =>
      new Webhook(STANDARD_KEY).verify(Buffer.from(request.body).toString(), headers),
    ).not.toThrow();
  });

  it("an entry without a delivery id gets one from its sequence number", () => {
    const request = signer(getProvider("standard"), STANDARD_KEY).request(
      outboxEntry({ provider: "standard", headers: [] }),
      new Date(),
    );
    expect(headerMap(request.headers)["webhook-id"]).toBe("outbox-7");
  });

  it("repeated header names (any case) go as one, joined as HTTP joins them", () => {
    const request = signer(getProvider("stripe"), STRIPE_SECRET).request(
      outboxEntry({
        provider: "stripe",
        headers: [
          ["X-Tag", "a"],
          ["x-tag", "b"],
          ["X-TAG", "c"],
        ],
      }),
      new Date(),
    );
    expect(request.headers.filter(([name]) => name === "x-tag")).toEqual([["x-tag", "a, b, c"]]);
  });

  it("sends the entry as it arrived when it cannot or need not re-sign it", () => {
    const original = outboxEntry({ provider: "stripe" });
    const now = new Date();
    const asArrived = (sign: ReturnType<typeof signer>, entry = original) => {
      const request = sign.request(entry, now);
      return request.headers === entry.headers && request.body === entry.body;
    };
    // No secret, no provider, another provider verified it, a provider that signs no timestamp.
    expect(asArrived(signer(getProvider("stripe"), undefined))).toBe(true);
    expect(asArrived(signer(undefined, STRIPE_SECRET))).toBe(true);
    expect(asArrived(signer(getProvider("stripe"), STRIPE_SECRET), outboxEntry({ provider: "slack" }))).toBe(
      true,
    );
    expect(asArrived(signer(getProvider("stripe"), STRIPE_SECRET), outboxEntry())).toBe(true);
    const github = outboxEntry({ provider: "github", headers: [["x-hub-signature-256", "sha256=00"]] });
    expect(asArrived(signer(getProvider("github"), "gh-secret"), github)).toBe(true);
    // One whose check needs no secret (PayPal's certificate) is never re-signed with one.
    const certified = { ...getProvider("stripe"), usesSecret: false };
    expect(asArrived(signer(certified, STRIPE_SECRET))).toBe(true);
    expect(asArrived(signer(getProvider("stripe"), STRIPE_SECRET))).toBe(false);
  });
});

describe("when an entry sent as it arrived goes stale", () => {
  const unsigned = signer(undefined, undefined);
  it("is the window of the provider that verified it", () => {
    expect(unsigned.staleAfter(outboxEntry({ provider: "stripe" }))).toEqual({
      provider: "stripe",
      seconds: 300,
    });
    expect(unsigned.staleAfter(outboxEntry({ provider: "slack", headers: [] }))).toEqual({
      provider: "slack",
      seconds: 300,
    });
  });

  it("never, for a provider that signs no timestamp, even with another's headers", () => {
    expect(unsigned.staleAfter(outboxEntry({ provider: "github" }))).toBeUndefined();
  });

  it("else is found from the signature headers it carries, in any case", () => {
    expect(unsigned.staleAfter(outboxEntry())).toEqual({ provider: "stripe", seconds: 300 });
    expect(unsigned.staleAfter(outboxEntry({ provider: "none" }))).toEqual({
      provider: "stripe",
      seconds: 300,
    });
    expect(unsigned.staleAfter(outboxEntry({ provider: "acme" }))).toEqual({
      provider: "stripe",
      seconds: 300,
    });
    const standard = outboxEntry({ headers: [["Webhook-Signature", "v1,xx"]] });
    expect(unsigned.staleAfter(standard)?.seconds).toBe(300);
    expect(unsigned.staleAfter(outboxEntry({ headers: [["x-n", "1"]] }))).toBeUndefined();
    // GitHub's signature has no timestamp: not a reason to warn.
    expect(
      unsigned.staleAfter(outboxEntry({ headers: [["X-Hub-Signature-256", "sha256=00"]] })),
    ).toBeUndefined();
  });

  it("is not asked when the entry is signed afresh", () => {
    expect(
      signer(getProvider("stripe"), STRIPE_SECRET).staleAfter(outboxEntry({ provider: "stripe" })),
    ).toBeUndefined();
    expect(
      signer(getProvider("stripe"), STRIPE_SECRET).staleAfter(outboxEntry({ provider: "slack" })),
    ).toEqual({
      provider: "slack",
      seconds: 300,
    });
  });
});
