import { describe, expect, it } from "vitest";
import { getProvider } from "../../src/providers/index.js";
import { liqpaySignature } from "../../src/providers/liqpay.js";
import { bytes, check } from "./helpers.js";

const liqpay = getProvider("liqpay");
const now = new Date(1_700_000_000_000);
const key = "a4825234f4bae72a0be04eafe9e8e2bada209255";
const json =
  '{"public_key":"i00000000","version":"3","action":"pay","amount":"3","currency":"UAH","description":"test","order_id":"000001"}';
const data =
  "eyJwdWJsaWNfa2V5IjoiaTAwMDAwMDAwIiwidmVyc2lvbiI6IjMiLCJhY3Rpb24iOiJwYXkiLCJhbW91bnQiOiIzIiwiY3VycmVuY3kiOiJVQUgiLCJkZXNjcmlwdGlvbiI6InRlc3QiLCJvcmRlcl9pZCI6IjAwMDAwMSJ9";

describe("liqpay", () => {
  it("reproduces LiqPay's documented signatures", () => {
    expect(liqpaySignature("your_private_key", "base64_post_string")).toBe("tp+ZLmKm1/E83dIzUpx5ljcttP4=");
    expect(Buffer.from(json).toString("base64")).toBe(data);
    expect(liqpaySignature(key, data)).toBe("wR+UZDC4jjeL/qUOvIsofIWpZh8=");
  });

  it("signs by putting data and signature in the form body, from bare JSON or an old form", () => {
    const signed = liqpay.signBody?.({ body: bytes(json), secret: key, timestamp: now });
    const form = new URLSearchParams(Buffer.from(signed ?? []).toString());
    expect(form.get("data")).toBe(data);
    expect(form.get("signature")).toBe("wR+UZDC4jjeL/qUOvIsofIWpZh8=");
    expect(liqpay.sign({ body: bytes(json), secret: key, timestamp: now })).toEqual({});
    const resigned = liqpay.signBody?.({ body: signed ?? bytes(""), secret: "other", timestamp: now });
    expect(new URLSearchParams(Buffer.from(resigned ?? []).toString()).get("data")).toBe(data);
    expect(check(liqpay, signed ?? bytes(""), {}, [key], now)).toEqual({ ok: true });
    expect(check(liqpay, resigned ?? bytes(""), {}, [key, "other"], now)).toEqual({ ok: true });
  });

  it("verifies the received data string, unescaped + included, and rejects a changed one", () => {
    const raw = bytes(`data=${data}&signature=wR+UZDC4jjeL/qUOvIsofIWpZh8=`);
    expect(check(liqpay, raw, {}, [key], now)).toEqual({ ok: true });
    const changed = bytes(
      `data=${data.replace("eyJw", "eyJx")}&signature=wR%2BUZDC4jjeL%2FqUOvIsofIWpZh8%3D`,
    );
    expect(check(liqpay, changed, {}, [key], now)).toMatchObject({ code: "no-match" });
    expect(check(liqpay, bytes("signature=x"), {}, [key], now)).toMatchObject({
      reason: "the body has no data field",
    });
    expect(check(liqpay, bytes(`data=${data}`), {}, [key], now)).toMatchObject({
      reason: "the body has no signature field",
    });
  });

  it("describes status (or action) and order id from the data JSON", () => {
    const callback = Buffer.from(
      '{"action":"pay","status":"success","order_id":"ord-7","payment_id":123}',
    ).toString("base64");
    const body = bytes(new URLSearchParams({ data: callback, signature: "x" }).toString());
    expect(liqpay.describe(body, new Headers())).toEqual({ type: "success", id: "ord-7", deliveryId: "123" });
    expect(liqpay.describe(bytes(json), new Headers())).toMatchObject({ type: "pay", id: "000001" });
    expect(liqpay.describe(bytes("%%%"), new Headers())).toEqual({
      type: undefined,
      id: undefined,
      deliveryId: undefined,
    });
  });

  it("names the missing field with the form it expects, needs a key, and knows a public key", () => {
    const form = Buffer.from(liqpay.signBody?.({ body: bytes(json), secret: key, timestamp: now }) ?? []);
    expect(check(liqpay, bytes("signature=x"), {}, [key], now)).toEqual({
      ok: false,
      code: "missing-header",
      reason: "the body has no data field",
      hint: "LiqPay posts a form: data=<base64 JSON>&signature=<base64 SHA-1>",
    });
    expect(check(liqpay, bytes(`data=${data}`), {}, [key], now)).toMatchObject({
      reason: "the body has no signature field",
    });
    expect(check(liqpay, form, {}, [], now)).toMatchObject({ code: "no-secret" });
    expect(check(liqpay, form, {}, ["i00000000"], now)).toMatchObject({
      code: "no-match",
      hint: expect.stringContaining("the shop's private_key (not the public_key)"),
    });
    expect(liqpay.checkSecret?.("i00000000")).toBe("that is the public_key; the secret is the private_key");
    expect(liqpay.checkSecret?.("sandbox_i123")).toBeDefined();
    expect(liqpay.checkSecret?.(key)).toBeUndefined();
    expect(liqpay.checkSecret?.("xi123")).toBeUndefined();
    const payment = Buffer.from('{"action":"pay","payment_id":99}').toString("base64");
    expect(liqpay.describe(bytes(`data=${payment}`), new Headers())).toEqual({
      type: "pay",
      id: "99",
      deliveryId: "99",
    });
  });
});
