import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";

// End to end through the built CLI: run `npm run build` first.
const dir = mkdtempSync(join(tmpdir(), "hook-sign-verify-errors-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const bodyFile = join(dir, "body.json");
writeFileSync(bodyFile, '{"id":"evt_1"}\n');
const providers = [
  "stripe",
  "github",
  "shopify",
  "slack",
  "standard",
  "svix",
  "twilio",
  "twitch",
  "websub",
  "telegram",
  "liqpay",
  "paypal",
  "paddle",
  "hmac",
  "none",
];

describe("bad input: one clear line, exit 2", () => {
  const cases2: [string, string[], RegExp, string?][] = [
    [
      "unknown provider",
      ["verify", "--provider", "strpe", "--secret", "x", "--body-file", bodyFile],
      /^hook: unknown provider "strpe"\nhint: choose one of: stripe, github/,
    ],
    [
      "missing secret",
      ["sign", "--provider", "github", "--body-file", bodyFile],
      /^hook: --secret is required for provider github\n/,
    ],
    [
      "unreadable body file",
      ["sign", "--provider", "github", "--secret", "x", "--body-file", join(dir, "nope.json")],
      /^hook: --body-file: cannot read .*nope\.json: ENOENT\n/,
    ],
    [
      "malformed --header",
      [
        "verify",
        "--provider",
        "github",
        "--secret",
        "x",
        "--body-file",
        bodyFile,
        "--header",
        "X-Hub-Signature-256 sha256=00",
      ],
      /^hook: --header "X-Hub-Signature-256 sha256=00" is not "Name: value"\n/,
    ],
    [
      "a Stripe sk_ key as the secret",
      ["sign", "--provider", "stripe", "--secret", "sk_test_51Habc", "--body-file", bodyFile],
      /^hook: --secret is not a stripe webhook secret\nhint: that is a Stripe API key; the webhook signing secret starts with whsec_/,
    ],
    [
      "hmac without --signature-header",
      ["sign", "--provider", "hmac", "--secret", "x", "--body-file", bodyFile],
      /^hook: --signature-header is required for provider hmac\n/,
    ],
    [
      "paypal without --webhook-id",
      ["verify", "--provider", "paypal", "--body-file", bodyFile],
      /^hook: --webhook-id is required for provider paypal\n/,
    ],
    [
      "a --timestamp that is not a number",
      ["sign", "--provider", "slack", "--secret", "x", "--body-file", bodyFile, "--timestamp", "yesterday"],
      /^hook: --timestamp: "yesterday" is not a whole number\n/,
    ],
    [
      "a bad --tolerance",
      ["verify", "--provider", "slack", "--secret", "x", "--body-file", bodyFile, "--tolerance", "soon"],
      /^hook: --tolerance: "soon" is not a duration\n/,
    ],
    [
      "twilio without --url",
      ["sign", "--provider", "twilio", "--secret", "x", "--body-file", bodyFile],
      /^hook: twilio signs the full URL: pass --url\n/,
    ],
    [
      "--header @- with the body on stdin too",
      ["verify", "--provider", "github", "--secret", "x", "--header", "@-"],
      /^hook: --header @- reads stdin, which is then not the body\n/,
    ],
  ];

  it.each(cases2)("%s", async (_label, args, expected) => {
    const result = await runCli(args, { cwd: dir });
    expect(result.stderr).toMatch(expected);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
  });

  it("never prints the secret", async () => {
    const result = await runCli([
      "sign",
      "--provider",
      "stripe",
      "--secret",
      "sk_live_SUPERSECRETVALUE",
      "--body-file",
      bodyFile,
    ]);
    expect(result.stderr).not.toContain("SUPERSECRETVALUE");
  });
});

describe("hook providers", () => {
  it("lists every provider, with --json objects", async () => {
    const human = await runCli(["providers"]);
    expect(human.code).toBe(0);
    for (const name of providers) expect(human.stdout).toMatch(new RegExp(`^${name} `, "m"));
    const json = await runCli(["providers", "--json"]);
    const rows = json.stdout
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(rows.map((r) => r.name)).toEqual(expect.arrayContaining(providers));
    expect(rows.find((r) => r.name === "slack")).toMatchObject({
      kind: "provider",
      timeoutMs: 3000,
      handshake: true,
    });
  });
});

describe("the generated PayPal test key pair", () => {
  it("is made once even when several hook sign processes start at the same moment", async () => {
    const fresh = mkdtempSync(join(dir, "paypal-race-"));
    const flags = ["--provider", "paypal", "--webhook-id", "WH-RACE", "--body-file", bodyFile];
    const signs = await Promise.all([1, 2, 3, 4].map(() => runCli(["sign", ...flags], { cwd: fresh })));
    for (const sign of signs) {
      expect(sign.code).toBe(0);
      // Every signature, whichever process made the files, verifies with the certificate left on disk.
      const verify = await runCli(["verify", ...flags, "--header", "@-"], { cwd: fresh, stdin: sign.stdout });
      expect(verify.stdout).toBe("valid\n");
    }
  });
});
