import { execFile } from "node:child_process";
import { writeFileSync } from "node:fs";
import type { Server } from "node:http";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import { findBuiltin } from "../../src/store/builtin-fixtures.js";
import { runCli } from "../helpers/cli.js";
import { tempDir } from "../replay/helpers.js";
import { listen, receiverFor } from "./helpers/receivers.js";

const run = promisify(execFile);

/** A realistic body per provider (a built-in sample the receiver below handles) and a secret of the right shape. */
const CASES: [provider: string, event: string, secret: string][] = [
  ["github", "push", "gh-webhook-secret"],
  ["github", "ping", "gh-webhook-secret"],
  ["stripe", "payment_intent.succeeded", "whsec_sign_curl_secret"],
  ["slack", "message", "8f742231b10e8888abcd99yyyzzz85a5"],
  ["telegram", "message", "tg-secret_token-1"],
  ["standard", "contact.created", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"],
  ["svix", "contact.created", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"],
  ["paddle", "transaction.completed", "pdl_ntfset_01hook_secret"],
  ["twilio", "sms", "twilio-auth-token-0123456789abcdef"],
  ["shopify", "orders/create", "shpss_sign_curl_secret"],
];

let server: Server | undefined;
afterEach(async () => {
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  server = undefined;
});

describe("hook sign --curl: the printed command is accepted by the provider's own receiving library", () => {
  it.each(CASES)("%s %s", async (provider, event, secret) => {
    const sample = findBuiltin(provider, event);
    let url = "";
    const receiver = receiverFor(provider, secret, () => url);
    const listening = await listen(receiver.handler);
    server = listening.server;
    url = `http://127.0.0.1:${listening.port}${receiver.path}`;
    const dir = tempDir("hook-sign-curl-");
    writeFileSync(join(dir, "body"), sample.fixture.body);
    const sign = await runCli(
      ["sign", "--provider", provider, "--secret", secret, "--body-file", "body", "--curl", url],
      { cwd: dir },
    );
    expect(sign.code, sign.stderr).toBe(0);
    const curl = await run(
      "sh",
      ["-c", `${sign.stdout.trim()} -o ${join(dir, "answer")} -w '%{http_code}'`],
      {
        cwd: dir,
      },
    );
    expect(curl.stdout, sign.stdout).toBe("200");
    expect(receiver.accepted, sign.stdout).toHaveLength(1);
  });

  it("--header is sent too, and one naming the signed delivery id is signed with (Standard Webhooks)", async () => {
    const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    let url = "";
    const receiver = receiverFor("standard", secret, () => url);
    const listening = await listen(receiver.handler);
    server = listening.server;
    url = `http://127.0.0.1:${listening.port}${receiver.path}`;
    const sign = await runCli(
      [
        "sign",
        "--provider",
        "standard",
        "--secret",
        secret,
        "--header",
        "webhook-id: msg_chosen",
        "--header",
        "X-Run: 7",
        "--curl",
        url,
      ],
      { stdin: '{"type":"contact.created"}' },
    );
    expect(sign.stdout).toContain("'webhook-id: msg_chosen'");
    expect(sign.stdout).toContain("'x-run: 7'");
    const curl = await run("sh", ["-c", `${sign.stdout.trim()} -o /dev/null -w '%{http_code}'`]);
    expect(curl.stdout).toBe("200");
    expect(receiver.accepted).toEqual(["msg_chosen"]);
  });
});

describe("hook replay of a bare payload with --provider: the same headers as hook sign", () => {
  it("github: octokit's middleware takes a bare push payload replayed with --provider github", async () => {
    const secret = "gh-webhook-secret";
    const receiver = receiverFor("github", secret, () => "");
    const listening = await listen(receiver.handler);
    server = listening.server;
    const dir = tempDir("hook-bare-");
    writeFileSync(join(dir, "push.json"), findBuiltin("github", "push").fixture.body);
    const to = `http://127.0.0.1:${listening.port}${receiver.path}`;
    const result = await runCli(
      ["replay", "push.json", "--provider", "github", "--secret", secret, "--to", to],
      {
        cwd: dir,
      },
    );
    expect(result.code, result.stderr).toBe(0);
    expect(receiver.accepted).toEqual(["push"]);
  });
});
