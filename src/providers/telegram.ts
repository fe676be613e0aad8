import { field, safeEqual, tryJson } from "./crypto.js";
import type { Provider } from "./types.js";
import { missingHeader, noMatch, noSecret, valid } from "./verdict.js";

const HEADER = "x-telegram-bot-api-secret-token";

export const telegram: Provider = {
  name: "telegram",
  summary: "no signature: X-Telegram-Bot-Api-Secret-Token must equal setWebhook's secret_token",
  signatureHeaders: [HEADER],
  signsTimestamp: false,
  // The Bot API documents no deadline; a slow answer delays the next update, so keep it short.
  timeoutMs: 10_000,
  contentType: "application/json",

  sign({ secret }) {
    return { "X-Telegram-Bot-Api-Secret-Token": secret };
  },

  verify({ headers, secrets }) {
    const token = headers.get(HEADER);
    if (token === null) return missingHeader("X-Telegram-Bot-Api-Secret-Token");
    if (secrets.length === 0) return noSecret();
    // Constant time even though it is a plain token: an early exit would leak it byte by byte.
    if (secrets.some((secret) => safeEqual(secret, token))) return valid;
    return noMatch("the secret is the secret_token given to setWebhook, not the bot token");
  },

  describe(body) {
    const update = tryJson(body);
    // An Update is update_id plus one object field that names its kind (message, callback_query…).
    const kind =
      typeof update === "object" && update !== null
        ? Object.entries(update).find(([, value]) => typeof value === "object" && value !== null)?.[0]
        : undefined;
    return { type: kind, id: field(update, "update_id") };
  },

  checkSecret(secret) {
    if (/^\d+:[\w-]{30,}$/.test(secret)) {
      return "that looks like the bot token; the secret is setWebhook's secret_token";
    }
    if (!/^[A-Za-z0-9_-]{1,256}$/.test(secret)) {
      return "Telegram allows 1-256 characters A-Z, a-z, 0-9, _ and - in secret_token";
    }
    return undefined;
  },
};
