/**
 * Which providers `hook listen --register` can register, and why the others cannot. Kept apart from
 * the registrars so that `hook providers` reads it without loading them.
 */
export const REGISTRABLE = ["stripe", "github", "telegram", "twitch", "websub", "paypal", "paddle"] as const;

export const NOT_REGISTRABLE: Record<string, string> = {
  slack:
    "only by rewriting the whole app manifest with a 12-hour configuration token: set the Request URL in the app's settings",
  shopify: "app-scoped GraphQL webhookSubscriptionCreate: not yet; use the Shopify CLI or the app's settings",
  twilio: "a phone number's SmsUrl/VoiceUrl, not a webhook registration: set it in the console",
  liqpay: "server_url travels with each payment request: set it there",
  hmac: "sender-specific: register the URL wherever the sender takes it",
  standard: "sender-specific: register the URL wherever the sender takes it",
  svix: "sender-specific: register the URL in the sender's Svix app portal",
  none: "nothing to register with",
};
