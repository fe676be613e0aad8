import { createRequire } from "node:module";
import "@shopify/shopify-api/adapters/node";
import { ApiVersion, LogSeverity, shopifyApi } from "@shopify/shopify-api";
import { describe, expect, it } from "vitest";
import { getProvider } from "../../src/providers/index.js";
import { bytes, check, flipOneByte } from "./helpers.js";

// The SDK's own test signer (CommonJS): getHmac(body, secret) = base64 HMAC-SHA256 of the body.
const { getHmac } = createRequire(import.meta.url)("@shopify/shopify-api/test-helpers") as {
  getHmac: (body: string, secret: string) => string;
};

const shopify = getProvider("shopify");
const now = new Date(1_700_000_000_000);

describe("shopify", () => {
  it("reproduces the providers.md vector", () => {
    expect(shopify.sign({ body: bytes('{"id":1}'), secret: "hush", timestamp: now })).toEqual({
      "X-Shopify-Hmac-Sha256": "VnKUjZsLuN5iZWjn5EntcBVCF9kMN43LglzCE1/GSeY=",
    });
  });

  it("agrees with the SDK's getHmac both ways, under both header names", () => {
    const body = '{"id":820982911946154500,"email":"jon@döe.ca","note":"a\\/b"}\n';
    const ours = shopify.sign({ body: bytes(body), secret: "shpss_1", timestamp: now });
    expect(ours["X-Shopify-Hmac-Sha256"]).toBe(getHmac(body, "shpss_1"));
    for (const name of ["X-Shopify-Hmac-Sha256", "shopify-hmac-sha256"]) {
      const headers = { [name]: getHmac(body, "shpss_1") };
      expect(check(shopify, bytes(body), headers, ["shpss_1"], now)).toEqual({ ok: true });
      expect(check(shopify, flipOneByte(bytes(body)), headers, ["shpss_1"], now).ok).toBe(false);
    }
  });

  it("accepts a rotated secret and explains a mismatch", () => {
    const headers = shopify.sign({ body: bytes("{}"), secret: "new", timestamp: now });
    expect(check(shopify, bytes("{}"), headers, ["old", "new"], now)).toEqual({ ok: true });
    expect(check(shopify, bytes("{}"), headers, ["old"], now)).toMatchObject({
      code: "no-match",
      hint: expect.stringContaining("client secret"),
    });
    expect(
      check(shopify, bytes("{}"), { "X-Shopify-Hmac-Sha256": "not base64!" }, ["old"], now),
    ).toMatchObject({
      code: "malformed-header",
    });
  });

  it("describes topic and event id, falling back to the webhook id", () => {
    const headers = new Headers({
      "X-Shopify-Topic": "orders/create",
      "X-Shopify-Webhook-Id": "wh-1",
      "X-Shopify-Event-Id": "ev-1",
    });
    expect(shopify.describe(bytes("{}"), headers)).toEqual({
      type: "orders/create",
      id: "ev-1",
      deliveryId: "wh-1",
    });
    const events = new Headers({ "shopify-topic": "products/update", "shopify-webhook-id": "wh-2" });
    expect(shopify.describe(bytes("{}"), events)).toEqual({
      type: "products/update",
      id: "wh-2",
      deliveryId: "wh-2",
    });
  });
});

describe("shopify against shopifyApi().webhooks.validate", () => {
  it("validates what we sign, and not a body with one byte changed", async () => {
    const api = shopifyApi({
      apiKey: "key",
      apiSecretKey: "shpss_1",
      scopes: [],
      hostName: "localhost",
      apiVersion: ApiVersion.July24,
      isEmbeddedApp: false,
      logger: { level: LogSeverity.Error, log: async () => {} },
    });
    const body = '{"id":820982911946154508,"note":"Zoë\\u00e9"}';
    const signed = shopify.sign({ body: bytes(body), secret: "shpss_1", timestamp: now, deliveryId: "wh-9" });
    const headers = {
      ...Object.fromEntries(Object.entries(signed).map(([k, v]) => [k.toLowerCase(), v])),
      "x-shopify-topic": "orders/create",
      "x-shopify-shop-domain": "shop.myshopify.com",
      "x-shopify-api-version": "2024-07",
    };
    const validate = (rawBody: string) =>
      api.webhooks.validate({ rawBody, rawRequest: { headers, method: "POST", url: "/" }, rawResponse: {} });
    expect(await validate(body)).toMatchObject({ valid: true, webhookId: "wh-9", topic: "ORDERS_CREATE" });
    expect(await validate(body.replace("Zoë", "Zoe"))).toMatchObject({ valid: false });
  });

  it("names a digest that is not base64, needs a secret, and knows an access token is not the secret", () => {
    const headers = shopify.sign({ body: bytes("{}"), secret: "s", timestamp: now });
    expect(check(shopify, bytes("{}"), { "Shopify-Hmac-Sha256": "not base64!" }, ["s"], now)).toEqual({
      ok: false,
      code: "malformed-header",
      reason: "shopify-hmac-sha256 header is malformed: it should be a base64 digest",
    });
    const padded = ` ${headers["X-Shopify-Hmac-Sha256"]} `;
    expect(check(shopify, bytes("{}"), { "X-Shopify-Hmac-Sha256": padded }, ["s"], now)).toEqual({
      ok: true,
    });
    expect(check(shopify, bytes("{}"), headers, [], now)).toMatchObject({ code: "no-secret" });
    expect(check(shopify, bytes("{}"), {}, ["s"], now)).toMatchObject({
      reason: "X-Shopify-Hmac-Sha256 header is missing",
    });
    for (const token of ["shpat_1", "shpca_1", "shppa_1"]) {
      expect(shopify.checkSecret?.(token)).toBe(
        "that is an access token; webhooks are signed with the app's client secret",
      );
    }
    expect(shopify.checkSecret?.("my_shpat_1")).toBeUndefined();
    expect(Object.keys(headers)).toEqual(["X-Shopify-Hmac-Sha256"]);
    expect(shopify.describe(bytes('{"id":42}'), new Headers())).toEqual({
      type: undefined,
      id: "42",
      deliveryId: undefined,
    });
  });
});
