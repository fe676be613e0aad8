import { readFileSync } from "node:fs";
import { verify as octokitVerify } from "@octokit/webhooks-methods";
import { Paddle } from "@paddle/paddle-node-sdk";
import { verifySlackRequest } from "@slack/bolt";
import { Webhook } from "standardwebhooks";
import Stripe from "stripe";
import twilio from "twilio";
import { afterEach, describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { type Received, Target } from "../helpers/target.js";
import { type FixtureSpec, header, tempDir, writeStaleFixture } from "./helpers.js";

const SECRETS: Record<string, string> = {
  stripe: "whsec_replay_test_secret",
  github: "It's a Secret to Everybody",
  standard: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
  slack: "8f742231b10e8888abcd99yyyzzz85a5",
  twilio: "12345",
  paddle: "pdl_ntfset_01hsecretsecretsecret",
};

const BODIES: Record<string, FixtureSpec> = {
  stripe: {
    provider: "stripe",
    event: "payment_intent.succeeded",
    id: "evt_1",
    path: "/webhooks/stripe?source=test",
    headers: { "content-type": "application/json; charset=utf-8" },
    body: '{\n  "id": "evt_1",\n  "object": "event",\n  "type": "payment_intent.succeeded",\n  "data": {"object": {"amount": 2000, "note": "café ☕"}}\n}\n',
  },
  github: {
    provider: "github",
    event: "push",
    headers: { "content-type": "application/json", "x-github-event": "push" },
    body: '{"ref":"refs/heads/main","after":"0000","repository":{"full_name":"o/r"}}',
  },
  standard: {
    provider: "standard",
    event: "contact.created",
    headers: { "content-type": "application/json" },
    body: '{"type": "contact.created", "data": {"id": "c_1"}}',
  },
  slack: {
    provider: "slack",
    event: "message",
    headers: { "content-type": "application/json" },
    body: '{"type":"event_callback","event_id":"Ev1","event":{"type":"message","text":"hi  there"}}',
  },
  twilio: {
    provider: "twilio",
    event: "sms",
    path: "/sms",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: "Body=Hello+%E2%9C%93&From=%2B14155552671&MessageSid=SM1&To=%2B15005550006",
  },
  paddle: {
    provider: "paddle",
    event: "transaction.completed",
    headers: { "content-type": "application/json" },
    body: '{"event_id":"evt_01","event_type":"transaction.completed","data":{"id":"txn_1"}}',
  },
};

const paddle = new Paddle("pdl_test_apikey");

/** Verifies with each provider's official SDK: 200 when it accepts, 401 when it does not. */
async function sdkAccepts(provider: string, r: Received, port: number): Promise<boolean> {
  const body = r.body.toString("utf8");
  const secret = SECRETS[provider] as string;
  try {
    switch (provider) {
      case "stripe":
        Stripe.webhooks.constructEvent(r.body, header(r, "stripe-signature"), secret);
        return true;
      case "github":
        return await octokitVerify(secret, body, header(r, "x-hub-signature-256"));
      case "standard":
        new Webhook(secret).verify(body, r.headers as Record<string, string>);
        return true;
      case "slack":
        await verifySlackRequest({
          signingSecret: secret,
          body,
          headers: {
            "x-slack-signature": header(r, "x-slack-signature"),
            "x-slack-request-timestamp": Number(header(r, "x-slack-request-timestamp")),
          },
        });
        return true;
      case "twilio": {
        const params = Object.fromEntries(new URLSearchParams(body));
        return twilio.validateRequest(
          secret,
          header(r, "x-twilio-signature"),
          `http://127.0.0.1:${port}${r.url}`,
          params,
        );
      }
      case "paddle":
        return await paddle.webhooks.isSignatureValid(body, secret, header(r, "paddle-signature"));
      default:
        return false;
    }
  } catch {
    return false;
  }
}

let target: Target;
afterEach(async () => {
  await target?.close();
});

describe("replay: stale fixtures, fresh signatures, verified by each official SDK", () => {
  for (const provider of Object.keys(BODIES)) {
    it(`${provider}: accepted, body byte-identical, path and query kept`, async () => {
      const spec = BODIES[provider] as FixtureSpec;
      const dir = tempDir();
      writeStaleFixture(dir, `${provider}.json`, spec, SECRETS[provider] as string);
      target = await new Target().start();
      target.respond = async (r) => ({ status: (await sdkAccepts(provider, r, target.port)) ? 200 : 401 });
      const result = await runCli(
        [
          "replay",
          `${provider}.json`,
          "--to",
          `${target.url}/base`,
          "--secret",
          SECRETS[provider] as string,
          "--json",
        ],
        { cwd: dir },
      );
      expect(result.stderr).toBe("");
      expect(result.code).toBe(0);
      expect(target.received).toHaveLength(1);
      const got = target.received[0] as Received;
      expect(got.body.equals(Buffer.from(spec.body))).toBe(true);
      expect(got.url).toBe(`/base${spec.path ?? ""}`.replace(/\/$/, "") || "/");
      const lines = result.stdout
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l));
      expect(lines.map((l) => l.kind)).toEqual(["result", "summary"]);
      expect(lines[0]).toMatchObject({ status: 200, pass: true, provider });
    });
  }

  it("the saved signature really is stale: the SDK refuses it as saved", async () => {
    const dir = tempDir();
    const file = writeStaleFixture(
      dir,
      "stripe.json",
      BODIES.stripe as FixtureSpec,
      SECRETS.stripe as string,
    );
    const saved = JSON.parse(readFileSync(file, "utf8")).request;
    expect(() =>
      Stripe.webhooks.constructEvent(saved.body, saved.headers["Stripe-Signature"], SECRETS.stripe as string),
    ).toThrow(/tolerance/);
  });
});
