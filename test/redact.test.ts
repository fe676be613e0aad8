import { describe, expect, it } from "vitest";
import {
  isSecretHeader,
  maskSecret,
  REDACTED,
  redactHeaders,
  redactText,
  redactUrl,
  rememberSecret,
} from "../src/redact.js";

const TELEGRAM = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw0";

describe("redactUrl", () => {
  it("masks user:pass@ and a bare token@, keeping the rest of the URL as typed", () => {
    expect(redactUrl("https://u:p@api.example.com/e?since_id=3")).toBe(
      "https://u:***@api.example.com/e?since_id=3",
    );
    expect(redactUrl("https://sk_test_123:@api.stripe.com/v1")).toBe("https://***:@api.stripe.com/v1");
    expect(redactUrl("https://ghp_abc123@github.com/x")).toBe("https://***@github.com/x");
    expect(redactUrl("http://x/v1/events?created[gte]=1&limit=100")).toBe(
      "http://x/v1/events?created[gte]=1&limit=100",
    );
  });

  it("masks query parameters named like credentials, whatever their case", () => {
    expect(redactUrl("/hook?api_key=a1&x=1&Token=b2&apiKey=c3&SIG=d4&access_token=e5&PASSWORD=f6")).toBe(
      "/hook?api_key=***&x=1&Token=***&apiKey=***&SIG=***&access_token=***&PASSWORD=***",
    );
    expect(redactUrl("/hook?author=me&bypass=1&keyword=q")).toBe("/hook?author=me&bypass=1&keyword=q");
  });

  it("masks a Telegram bot token in a Bot API URL or a webhook path", () => {
    expect(redactUrl(`https://api.telegram.org/bot${TELEGRAM}/getUpdates`)).toBe(
      "https://api.telegram.org/bot***/getUpdates",
    );
    expect(redactUrl(`/telegram/${TELEGRAM}`)).toBe("/telegram/***");
  });
});

describe("redactHeaders", () => {
  it("redacts credential headers whatever the case of their names, and lower-cases the names", () => {
    const out = redactHeaders([
      ["Authorization", "Bearer x"],
      ["COOKIE", "a=b"],
      ["X-Telegram-Bot-Api-Secret-Token", "tg-secret"],
      ["X-Shopify-Access-Token", "shpat_1"],
      ["X-Api-Key", "k"],
      ["Stripe-Signature", "t=1,v1=abc"],
      ["PayPal-Auth-Algo", "SHA256withRSA"],
    ]);
    expect(out).toEqual({
      authorization: REDACTED,
      cookie: REDACTED,
      "x-telegram-bot-api-secret-token": REDACTED,
      "x-shopify-access-token": REDACTED,
      "x-api-key": REDACTED,
      "stripe-signature": "t=1,v1=abc",
      "paypal-auth-algo": "SHA256withRSA",
    });
    expect(isSecretHeader("Proxy-Authorization")).toBe(true);
  });

  it("takes a plain object too, and redacts a URL inside a value", () => {
    expect(redactHeaders({ Referer: "https://a.example/?token=t1" })).toEqual({
      referer: "https://a.example/?token=***",
    });
  });
});

describe("redactText", () => {
  it("finds a bot token wherever its colon is, and only after six digits", () => {
    // The colon at the earliest place a token can have it, at the end, and twelve digits before it.
    expect(redactText(`${TELEGRAM.replace(/^\d+/, "123456")} leaked`)).toBe("*** leaked");
    expect(redactText(`ends with bot${TELEGRAM}`)).toBe("ends with bot***");
    expect(redactText(`{"a":1,"t":"123456789012:${"A".repeat(35)}"}`)).toBe('{"a":1,"t":"***"}');
    expect(redactText(`12345:${"A".repeat(35)} http://127.0.0.1:8080/x`)).toBe(
      `12345:${"A".repeat(35)} http://127.0.0.1:8080/x`,
    );
  });

  it("masks user:pass@ only where a URL has an @, anywhere in a line", () => {
    expect(redactText('{"to":"http://127.0.0.1:3000/x","by":"ci"}')).toBe(
      '{"to":"http://127.0.0.1:3000/x","by":"ci"}',
    );
    expect(redactText('{"a":"http://h/x","b":"https://u:p@h/y"}')).toBe(
      '{"a":"http://h/x","b":"https://u:***@h/y"}',
    );
  });

  it("masks credentials inside free text and JSON", () => {
    expect(redactText('{"url":"http://a:b@h/x?key=1"}')).toBe('{"url":"http://a:***@h/x?key=***"}');
    expect(redactText("401: Authorization: Bearer sk_live_abc123456 was refused")).toBe(
      "401: Authorization: Bearer *** was refused",
    );
    expect(redactText("Basic authentication is required")).toBe("Basic authentication is required");
  });

  it("masks the values this run was given wherever they appear, but not short ones", () => {
    rememberSecret("whsec_planted_value_1234");
    rememberSecret("x");
    expect(redactText("the API said: bad key whsec_planted_value_1234.")).toBe(
      "the API said: bad key whsec_…1234.",
    );
    expect(redactText("x marks")).toBe("x marks");
  });

  it("never shows a secret in full", () => {
    expect(maskSecret("whsec_abcdefghijklmnop1234")).toBe("whsec_…1234");
    expect(maskSecret("short")).toBe("…");
  });
});

describe("the request's --json shape", () => {
  it("masks the path's credentials for every reader (listen --json, the inspector's API)", async () => {
    const { requestJson } = await import("../src/events/json.js");
    const record = {
      n: 1,
      receivedAt: new Date(0),
      method: "POST",
      path: `/tg/${TELEGRAM}?token=abc123&x=1`,
      headers: [],
      body: new Uint8Array(),
      provider: "none",
      outcome: "accepted" as const,
      status: 200,
      latencyMs: 1,
      duplicate: false,
    };
    expect(requestJson(record).path).toBe("/tg/***?token=***&x=1");
  });
});
