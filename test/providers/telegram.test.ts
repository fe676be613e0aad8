import { describe, expect, it } from "vitest";
import { getProvider } from "../../src/providers/index.js";
import { bytes, check } from "./helpers.js";

const telegram = getProvider("telegram");
const now = new Date(1_700_000_000_000);
const update = '{"update_id":10000,"message":{"message_id":1365,"text":"/start","chat":{"id":1111111}}}';

describe("telegram", () => {
  it("accepts the configured secret_token and nothing else", () => {
    const headers = telegram.sign({ body: bytes(update), secret: "my-Secret_1", timestamp: now });
    expect(headers).toEqual({ "X-Telegram-Bot-Api-Secret-Token": "my-Secret_1" });
    expect(check(telegram, bytes(update), headers, ["my-Secret_1"], now)).toEqual({ ok: true });
    expect(check(telegram, bytes(update), headers, ["old", "my-Secret_1"], now)).toEqual({ ok: true });
    expect(check(telegram, bytes(update), headers, ["my-Secret_2"], now)).toMatchObject({ code: "no-match" });
    expect(check(telegram, bytes(update), headers, ["my-Secret_"], now)).toMatchObject({ code: "no-match" });
    expect(check(telegram, bytes(update), {}, ["x"], now)).toMatchObject({
      reason: "X-Telegram-Bot-Api-Secret-Token header is missing",
    });
  });

  it("describes update_id and the update's kind", () => {
    expect(telegram.describe(bytes(update), new Headers())).toEqual({ type: "message", id: "10000" });
    const query = '{"update_id":7,"callback_query":{"id":"4382"}}';
    expect(telegram.describe(bytes(query), new Headers())).toEqual({ type: "callback_query", id: "7" });
    const later = '{"business_connection":null,"edited_message":{"message_id":2},"update_id":8}';
    expect(telegram.describe(bytes(later), new Headers())).toEqual({ type: "edited_message", id: "8" });
    expect(telegram.describe(bytes("not json"), new Headers())).toEqual({ type: undefined, id: undefined });
  });

  it("recognises a bot token and characters Telegram does not allow", () => {
    expect(telegram.checkSecret?.("123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw")).toMatch(
      /^that looks like the bot token/,
    );
    expect(telegram.checkSecret?.("has space")).toMatch(/A-Z, a-z, 0-9/);
    expect(telegram.checkSecret?.("fine_Token-1")).toBeUndefined();
  });
});
