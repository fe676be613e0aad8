import { Paddle } from "@paddle/paddle-node-sdk";
import { afterEach, describe, expect, it, vi } from "vitest";
import { getProvider } from "../../src/providers/index.js";
import { bytes, check, flipOneByte } from "./helpers.js";

const paddle = getProvider("paddle");
const at = new Date(Date.UTC(2023, 10, 1)); // 1698796800
// Constructing Paddle installs the Node runtime the validator needs.
const sdk = new Paddle("pdl_sdbx_apikey_test").webhooks;

describe("paddle", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("verifies the SDK's own test vectors, including two h1 and an h2", () => {
    const one = {
      "Paddle-Signature": "ts=1698796800;h1=a300428748dce5c70e4da19bffd60769591ea969c99dea3105d0ec9612cf43f9",
    };
    expect(check(paddle, bytes('{"data": ["1", "2"]}'), one, ["VALID_SECRET"], at)).toEqual({ ok: true });
    const h = "28981e941fae76e53db32f3d2a83cb69db41476595e84e1970a1b5d98f62b261";
    const two = { "Paddle-Signature": `ts=1698796800;h1=${h};h1=${h};h2=RANDOM_HASH` };
    expect(check(paddle, bytes('{"data": "value"}'), two, ["VALID_SECRET"], at)).toEqual({ ok: true });
    expect(check(paddle, bytes('{"data":  "value"}'), two, ["VALID_SECRET"], at)).toMatchObject({
      code: "no-match",
    });
  });

  it("keeps the SDK's 5-second window: valid at +5 s, stale at +6 s", () => {
    const one = {
      "Paddle-Signature": "ts=1698796800;h1=a300428748dce5c70e4da19bffd60769591ea969c99dea3105d0ec9612cf43f9",
    };
    const body = bytes('{"data": ["1", "2"]}');
    expect(check(paddle, body, one, ["VALID_SECRET"], new Date(at.getTime() + 5000))).toEqual({ ok: true });
    expect(check(paddle, body, one, ["VALID_SECRET"], new Date(at.getTime() + 6000))).toMatchObject({
      code: "timestamp-too-old",
      reason: "timestamp too old: signed 6s ago, 1s beyond the 5s tolerance",
    });
  });

  it("is accepted by isSignatureValid (fake clock), and accepts another h1 for rotation", async () => {
    vi.useFakeTimers();
    vi.setSystemTime(at);
    const body = '{"event_id":"evt_01h","event_type":"transaction.completed","data":{"note":"ö\\/"}}';
    const header =
      paddle.sign({ body: bytes(body), secret: "pdl_ntfset_1", timestamp: at })["Paddle-Signature"] ?? "";
    expect(await sdk.isSignatureValid(body, "pdl_ntfset_1", header)).toBe(true);
    expect(await sdk.isSignatureValid(`${body} `, "pdl_ntfset_1", header)).toBe(false);
    const other =
      paddle.sign({ body: bytes(body), secret: "pdl_ntfset_0", timestamp: at })["Paddle-Signature"] ?? "";
    const both = `${header};${other.split(";")[1]}`;
    expect(check(paddle, bytes(body), { "Paddle-Signature": both }, ["pdl_ntfset_1"], at)).toEqual({
      ok: true,
    });
    expect(
      check(paddle, flipOneByte(bytes(body)), { "Paddle-Signature": both }, ["pdl_ntfset_1"], at).ok,
    ).toBe(false);
    expect(paddle.describe(bytes(body), new Headers())).toEqual({
      type: "transaction.completed",
      id: "evt_01h",
    });
  });

  it("says what is missing from the header", () => {
    expect(check(paddle, bytes("{}"), { "Paddle-Signature": "h1=00" }, ["s"], at)).toMatchObject({
      reason: "Paddle-Signature header is malformed: no ts=<unix seconds>",
    });
    expect(check(paddle, bytes("{}"), { "Paddle-Signature": "ts=1" }, ["s"], at)).toMatchObject({
      reason: "Paddle-Signature header is malformed: no h1=<hex> signature",
    });
  });

  it("reads the header's parts in any order and spacing, and says which is missing or wrong", () => {
    const body = bytes('{"event_type":"transaction.paid","notification_id":"ntf_1"}');
    const header = paddle.sign({ body, secret: "pdl_ntfset_1", timestamp: at })["Paddle-Signature"] ?? "";
    const [ts, h1] = header.split(";");
    const verdict = (value: string, secrets = ["pdl_ntfset_1"]) =>
      check(paddle, body, { "Paddle-Signature": value }, secrets, at);
    expect(verdict(` ${h1} ; ${ts} `)).toEqual({ ok: true });
    expect(verdict(`${ts};h1=;${h1}`)).toEqual({ ok: true });
    expect(verdict(`ts=1e9;${h1}`)).toMatchObject({
      reason: "Paddle-Signature header is malformed: no ts=<unix seconds>",
    });
    expect(verdict(`${ts};h1=zz`)).toEqual({
      ok: false,
      code: "malformed-header",
      reason: "Paddle-Signature header is malformed: h1 is not hex",
    });
    expect(verdict(header, [])).toMatchObject({ code: "no-secret" });
    expect(verdict(header, ["pdl_ntfset_2"])).toMatchObject({
      code: "no-match",
      hint: expect.stringContaining("notification destination's secret key (pdl_ntfset_…)"),
    });
    expect(check(paddle, body, {}, ["s"], at)).toMatchObject({
      reason: "Paddle-Signature header is missing",
    });
    expect(paddle.describe(body, new Headers())).toEqual({ type: "transaction.paid", id: "ntf_1" });
    expect(paddle.checkSecret?.("pdl_live_apikey_01")).toMatch(/^that is a Paddle API key/);
    expect(paddle.checkSecret?.("pdl_ntfset_01")).toBeUndefined();
    expect(paddle.checkSecret?.("x_pdl_live_apikey_01")).toBeUndefined();
  });
});
