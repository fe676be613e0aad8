import { randomUUID } from "node:crypto";
import { anyEqual, field, firstHeader, hmac, tryJson } from "./crypto.js";
import type { Provider } from "./types.js";
import { malformedHeader, missingHeader, noMatch, noSecret, valid } from "./verdict.js";

/** Webhooks product, then the Events product's lower-case names without X- (SDK v15). */
const HMAC_HEADERS = ["x-shopify-hmac-sha256", "shopify-hmac-sha256"];

export const shopify: Provider = {
  name: "shopify",
  summary: "HMAC-SHA256 of the body with the app's client secret, base64, in X-Shopify-Hmac-Sha256",
  signatureHeaders: HMAC_HEADERS,
  signsTimestamp: false,
  // Shopify: one second to connect and five seconds in total before the delivery counts as failed.
  timeoutMs: 5_000,
  contentType: "application/json",

  sign({ body, secret, deliveryId }) {
    const headers: Record<string, string> = {
      "X-Shopify-Hmac-Sha256": hmac("sha256", secret, body).toString("base64"),
    };
    if (deliveryId) headers["X-Shopify-Webhook-Id"] = deliveryId;
    return headers;
  },

  // @shopify/shopify-api's validate() refuses a webhook without these; the topic is not in the body.
  envelope(_body, at) {
    return {
      headers: {
        "X-Shopify-Topic": "orders/create",
        "X-Shopify-Shop-Domain": "example.myshopify.com",
        "X-Shopify-API-Version": "2025-10",
        "X-Shopify-Event-Id": randomUUID(),
        "X-Shopify-Triggered-At": at.toISOString(),
      },
      assumed: ["X-Shopify-Topic", "X-Shopify-Shop-Domain"],
    };
  },

  verify({ body, headers, secrets }) {
    const found = firstHeader(headers, ...HMAC_HEADERS);
    if (!found) return missingHeader("X-Shopify-Hmac-Sha256");
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(found.value.trim())) {
      return malformedHeader(found.name, "it should be a base64 digest");
    }
    if (secrets.length === 0) return noSecret();
    const given = Buffer.from(found.value.trim(), "base64");
    if (secrets.some((secret) => anyEqual(hmac("sha256", secret, body), [given]))) return valid;
    return noMatch(
      "Shopify signs with the app's client secret (API secret key), not the access token; events " +
        "sent from the store admin's Notifications page are signed with that page's key instead",
    );
  },

  checkSecret(secret) {
    if (/^shpat_|^shpca_|^shppa_/.test(secret)) {
      return "that is an access token; webhooks are signed with the app's client secret";
    }
    return undefined;
  },

  describe(body, headers) {
    const header = (name: string) => headers.get(`x-shopify-${name}`) ?? headers.get(`shopify-${name}`);
    const webhookId = header("webhook-id") ?? undefined;
    return {
      type: header("topic") ?? undefined,
      // X-Shopify-Event-Id is the same on every copy of one event (Shopify's dedupe advice).
      id: header("event-id") ?? webhookId ?? field(tryJson(body), "id"),
      deliveryId: webhookId,
    };
  },
};
