import { Webhook as StandardWebhook } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import { getProvider } from "../../src/providers/index.js";
import { signRequest } from "../../src/providers/sign-request.js";
import { bytes, check } from "./helpers.js";

const at = new Date(1_700_000_000_000);
const key = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

describe("signRequest (hook sign and the library's sign())", () => {
  it("signs with the delivery id a --header sets, so the printed request still verifies", () => {
    const standard = getProvider("standard");
    const body = '{"type":"invoice.paid"}';
    const input = { body: bytes(body), secret: key, timestamp: new Date() };
    const { headers } = signRequest(standard, input, new Headers({ "Webhook-Id": "msg_mine" }));
    expect(headers["webhook-id"]).toBe("msg_mine");
    expect(Object.keys(headers).filter((name) => name.toLowerCase() === "webhook-id")).toHaveLength(1);
    expect(() => new StandardWebhook(key).verify(body, headers)).not.toThrow();

    const twitch = getProvider("twitch");
    const event = '{"subscription":{"type":"channel.follow","version":"2"},"event":{}}';
    const signed = signRequest(
      twitch,
      { body: bytes(event), secret: "a-long-enough-secret", timestamp: at },
      new Headers({ "twitch-eventsub-message-id": "id-from-header" }),
    );
    expect(signed.headers["Twitch-Eventsub-Message-Id"]).toBe("id-from-header");
    expect(check(twitch, bytes(event), signed.headers, ["a-long-enough-secret"], at)).toEqual({ ok: true });
  });

  it("uses the given delivery id, or a fresh one on each call", () => {
    const github = getProvider("github");
    const input = { body: bytes("{}"), secret: "s", timestamp: at };
    expect(signRequest(github, { ...input, deliveryId: "d-1" }).headers["X-GitHub-Delivery"]).toBe("d-1");
    const one = signRequest(github, input).headers["X-GitHub-Delivery"];
    const two = signRequest(github, input).headers["X-GitHub-Delivery"];
    expect(one).toMatch(/^[0-9a-f-]{36}$/);
    expect(two).not.toBe(one);
    // A --header that replaces the signature (a deliberately bad one, for a test) is not the id.
    const bad = signRequest(github, input, new Headers({ "X-Hub-Signature-256": "sha256=00" }));
    expect(bad.headers["X-Hub-Signature-256"]).toBe("sha256=00");
    expect(bad.headers["X-GitHub-Delivery"]).toMatch(/^[0-9a-f-]{36}$/);
    // A provider with no delivery id header is signed as it is, whatever --header says.
    const stripe = signRequest(
      getProvider("stripe"),
      { ...input, secret: "whsec_x" },
      new Headers({ "X-A": "1" }),
    );
    expect(Object.keys(stripe.headers)).toEqual(["Content-Type", "Stripe-Signature", "x-a"]);
  });

  it("lets --header replace a provider header in any spelling, keeping the provider's name", () => {
    const github = getProvider("github");
    const { headers, assumed } = signRequest(
      github,
      { body: bytes("{}"), secret: "s", timestamp: at },
      new Headers({ "x-github-event": "issues", "content-type": "application/x-www-form-urlencoded" }),
    );
    expect(headers["X-GitHub-Event"]).toBe("issues");
    expect(headers["Content-Type"]).toBe("application/x-www-form-urlencoded");
    const names = Object.keys(headers).map((name) => name.toLowerCase());
    expect(names).toEqual([...new Set(names)]);
    expect(assumed).toEqual([]);
  });

  it("puts the envelope and the provider's content type under the signature, and names the guesses", () => {
    const shopify = getProvider("shopify");
    const { headers, assumed, body } = signRequest(shopify, {
      body: bytes('{"id":1}'),
      secret: "s",
      timestamp: at,
      deliveryId: "w-1",
    });
    expect(body).toBeUndefined();
    expect(headers).toMatchObject({
      "Content-Type": "application/json",
      "X-Shopify-Topic": "orders/create",
      "X-Shopify-Triggered-At": at.toISOString(),
      "X-Shopify-Webhook-Id": "w-1",
    });
    expect(check(shopify, bytes('{"id":1}'), headers, ["s"], at)).toEqual({ ok: true });
    expect(assumed).toEqual([
      ["X-Shopify-Topic", "orders/create"],
      ["X-Shopify-Shop-Domain", "example.myshopify.com"],
    ]);
    const github = signRequest(getProvider("github"), { body: bytes("{}"), secret: "s", timestamp: at });
    expect(github.assumed).toEqual([["X-GitHub-Event", "ping"]]);
  });

  it("returns the body with its signature inside for LiqPay, and says what Twilio lacks", () => {
    const liqpay = getProvider("liqpay");
    const signed = signRequest(liqpay, { body: bytes('{"status":"success"}'), secret: "pk", timestamp: at });
    expect(signed.headers).toEqual({ "Content-Type": "application/x-www-form-urlencoded" });
    expect(check(liqpay, signed.body ?? bytes(""), signed.headers, ["pk"], at)).toEqual({ ok: true });
    expect(() =>
      signRequest(getProvider("twilio"), { body: bytes("a=1"), secret: "t", timestamp: at }),
    ).toThrow(/pass --url/);
  });
});
