import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Webhook as SvixWebhook } from "svix";
import { afterEach, describe, expect, it } from "vitest";
import { getProvider } from "../../src/providers/index.js";
import { runCli } from "../helpers/cli.js";
import { Target } from "../helpers/target.js";
import { tempDir } from "./helpers.js";

const SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const BODY = '{"type":"contact.created","data":{"id":"c_1"}}';

/** A Standard Webhooks fixture captured from a sender that used Svix's svix-* header names. */
function svixCapturedFixture(dir: string): string {
  const stale = getProvider("svix").sign({
    body: Buffer.from(BODY),
    secret: SECRET,
    timestamp: new Date("2020-01-01T00:00:00Z"),
    deliveryId: "msg_old",
  });
  mkdirSync(dir, { recursive: true });
  const file = join(dir, "standard.json");
  const request = {
    method: "POST",
    path: "/",
    headers: { "content-type": "application/json", ...stale },
    body: BODY,
  };
  writeFileSync(file, JSON.stringify({ hook: 1, provider: "standard", event: "contact.created", request }));
  return file;
}

describe("replay drops every header the provider's verifier reads", () => {
  let target: Target | undefined;
  afterEach(async () => {
    await target?.close();
    target = undefined;
  });

  it("an old svix-signature does not travel next to the fresh webhook-signature", async () => {
    target = await new Target().start();
    const file = svixCapturedFixture(tempDir());
    const result = await runCli(["replay", file, "--to", target.url, "--secret", SECRET]);
    expect(result.code).toBe(0);
    const received = target.received[0];
    if (!received) throw new Error("nothing arrived");
    expect(Object.keys(received.headers).filter((h) => h.startsWith("svix-"))).toEqual([]);
    const headers = new Headers(received.headers as Record<string, string>);
    // hook's own verifier (what `hook listen --provider standard` runs) and Svix's SDK both read svix-* first.
    const verdict = getProvider("standard").verify({
      body: received.body,
      headers,
      secrets: [SECRET],
      now: new Date(),
    });
    expect(verdict).toEqual({ ok: true });
    expect(() =>
      new SvixWebhook(SECRET).verify(received.body.toString(), received.headers as Record<string, string>),
    ).not.toThrow();
  });
});
