import { isValidSlackRequest } from "@slack/bolt";
import { describe, expect, it } from "vitest";
import { getProvider } from "../../src/providers/index.js";
import { bytes, check, flipOneByte } from "./helpers.js";

const slack = getProvider("slack");
const secret = "8f742231b10e8888abcd99yyyzzz85a5";
const docsBody =
  "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c";
const at = new Date(1_531_420_618_000);

describe("slack", () => {
  it("reproduces Slack's docs vector", () => {
    expect(slack.sign({ body: bytes(docsBody), secret, timestamp: at })).toEqual({
      "X-Slack-Signature": "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503",
      "X-Slack-Request-Timestamp": "1531420618",
    });
    expect(slack.describe(bytes(docsBody), new Headers())).toEqual({
      type: "/webhook-collect",
      id: "398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c",
    });
  });

  it("is accepted by @slack/bolt, and accepts the docs' signature; one byte changed is not", () => {
    const body = '{"type":"event_callback","event_id":"Ev1","event":{"type":"app_mention","text":"héllo"}}';
    const headers = slack.sign({ body: bytes(body), secret, timestamp: at });
    const bolt = (b: string, h: Record<string, string>) =>
      isValidSlackRequest({
        signingSecret: secret,
        body: b,
        headers: {
          "x-slack-signature": h["X-Slack-Signature"] ?? "",
          "x-slack-request-timestamp": Number(h["X-Slack-Request-Timestamp"]),
        },
        nowMilliseconds: at.getTime(),
      });
    expect(bolt(body, headers)).toBe(true);
    expect(bolt(`${body} `, headers)).toBe(false);
    const docs = {
      "X-Slack-Signature": "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503",
      "X-Slack-Request-Timestamp": "1531420618",
    };
    expect(check(slack, bytes(docsBody), docs, [secret], at)).toEqual({ ok: true });
    expect(check(slack, flipOneByte(bytes(docsBody)), docs, [secret], at).ok).toBe(false);
  });

  it("rejects requests over 5 minutes old, by how much, and accepts future ones like bolt", () => {
    const headers = slack.sign({ body: bytes("{}"), secret, timestamp: at });
    expect(check(slack, bytes("{}"), headers, [secret], new Date(at.getTime() + 3_600_000))).toMatchObject({
      code: "timestamp-too-old",
      reason: "timestamp too old: signed 1h ago, 55m beyond the 5m tolerance",
    });
    expect(check(slack, bytes("{}"), headers, [secret], new Date(at.getTime() - 3_600_000)).ok).toBe(true);
  });

  it("names missing and malformed headers", () => {
    expect(check(slack, bytes("{}"), {}, [secret], at)).toMatchObject({
      reason: "X-Slack-Signature header is missing",
    });
    const noTs = { "X-Slack-Signature": "v0=00" };
    expect(check(slack, bytes("{}"), noTs, [secret], at)).toMatchObject({
      reason: "X-Slack-Request-Timestamp header is missing",
    });
    const v1 = { "X-Slack-Signature": "v1=00", "X-Slack-Request-Timestamp": "1" };
    expect(check(slack, bytes("{}"), v1, [secret], at)).toMatchObject({ code: "malformed-header" });
  });

  it("answers url_verification with the challenge as text, and ssl_check with 200", () => {
    const body = bytes(
      '{"token":"Jhj5dZrVaK7ZwHHjRyZWjbDl","challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P","type":"url_verification"}',
    );
    const request = { method: "POST", url: "/slack", headers: new Headers(), body };
    expect(slack.handshake?.(request)).toEqual({
      status: 200,
      headers: { "content-type": "text/plain" },
      body: "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P",
    });
    expect(slack.handshake?.({ ...request, body: bytes("ssl_check=1&token=x") })?.status).toBe(200);
    expect(slack.handshake?.({ ...request, body: bytes('{"type":"event_callback"}') })).toBeUndefined();
  });

  it("describes interactivity payloads and Events API callbacks, and says what is malformed", () => {
    const payload = JSON.stringify({
      type: "block_actions",
      trigger_id: "13345224609.738474920.8088930838d88f008e0",
    });
    const form = `payload=${encodeURIComponent(payload)}`;
    expect(slack.describe(bytes(form), new Headers())).toEqual({
      type: "block_actions",
      id: "13345224609.738474920.8088930838d88f008e0",
    });
    const callback = '{"type":"event_callback","event_id":"Ev08","event":{"type":"message"}}';
    expect(slack.describe(bytes(callback), new Headers())).toEqual({ type: "message", id: "Ev08" });
    expect(slack.describe(bytes('{"type":"app_rate_limited"}'), new Headers())).toEqual({
      type: "app_rate_limited",
      id: undefined,
    });
    const reason = (headers: Record<string, string>, secrets = [secret]) => {
      const verdict = check(slack, bytes("{}"), headers, secrets, at);
      return verdict.ok ? "ok" : verdict.reason;
    };
    expect(reason({ "X-Slack-Signature": "v0=00", "X-Slack-Request-Timestamp": "1e9" })).toBe(
      "X-Slack-Request-Timestamp header is malformed: it is not unix seconds",
    );
    expect(reason({ "X-Slack-Signature": "v0=0g", "X-Slack-Request-Timestamp": "1" })).toBe(
      "X-Slack-Signature header is malformed: after v0= comes a hex digest",
    );
    expect(reason({ "X-Slack-Signature": "v1=00", "X-Slack-Request-Timestamp": "1" })).toBe(
      "X-Slack-Signature header is malformed: it must start with v0=",
    );
    expect(reason({ "X-Slack-Signature": "v0=00", "X-Slack-Request-Timestamp": "1" }, [])).toBe(
      "no secret to verify with",
    );
    expect(
      check(
        slack,
        bytes("{}"),
        { "X-Slack-Signature": "v0=00", "X-Slack-Request-Timestamp": "1" },
        [secret],
        at,
      ),
    ).toMatchObject({
      code: "no-match",
      hint: expect.stringContaining("Signing Secret (Basic Information)"),
    });
  });

  it("answers handshakes only when POSTed, and knows a token is not the signing secret", () => {
    const body = bytes('{"type":"url_verification","challenge":"c"}');
    expect(slack.handshake?.({ method: "GET", url: "/", headers: new Headers(), body })).toBeUndefined();
    expect(
      slack.handshake?.({ method: "GET", url: "/", headers: new Headers(), body: bytes("ssl_check=1") }),
    ).toBeUndefined();
    expect(
      slack.handshake?.({ method: "POST", url: "/", headers: new Headers(), body: bytes("ssl_check=0") }),
    ).toBeUndefined();
    expect(
      slack.handshake?.({
        method: "POST",
        url: "/",
        headers: new Headers(),
        body: bytes('{"type":"url_verification"}'),
      }),
    ).toBeUndefined();
    expect(
      slack.handshake?.({ method: "POST", url: "/", headers: new Headers(), body: bytes("ssl_check=1") }),
    ).toEqual({
      status: 200,
      headers: { "content-type": "text/plain" },
      body: "",
    });
    for (const token of ["xoxb-1", "xoxp-1", "xoxa-1", "xoxo-1", "xoxs-1", "xoxr-1"]) {
      expect(slack.checkSecret?.(token)).toBe(
        "that is a Slack token; the Signing Secret is under Basic Information",
      );
    }
    expect(slack.checkSecret?.(secret)).toBeUndefined();
    expect(slack.checkSecret?.("my-xoxb-1")).toBeUndefined();
  });
});
