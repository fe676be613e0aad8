import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { Target } from "../helpers/target.js";

// End to end through the built CLI: run `npm run build` first.
const dir = mkdtempSync(join(tmpdir(), "hook-sign-verify-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const body = '{"id":"evt_1","type":"payment_intent.succeeded","note":"Zoë \\u00e9 https:\\/\\/x.y it\'s"}\n';
const bodyFile = join(dir, "body.json");
writeFileSync(bodyFile, body);

/** Per provider: the secret and any flags it needs to sign and verify. */
const cases: Record<string, string[]> = {
  stripe: ["--secret", "whsec_test"],
  github: ["--secret", "gh-secret"],
  shopify: ["--secret", "shpss_x"],
  slack: ["--secret", "8f742231b10e8888abcd99yyyzzz85a5"],
  standard: ["--secret", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"],
  svix: ["--secret", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"],
  twilio: [
    "--secret",
    "12345",
    "--url",
    "https://example.com/sms?bodySHA256=__HASH__",
    "--algorithm",
    "sha256",
  ],
  twitch: ["--secret", "keepItSecretKeepItSafe"],
  websub: ["--secret", "hubsecret"],
  telegram: ["--secret", "tg_token-1"],
  liqpay: ["--secret", "a4825234f4bae72a0be04eafe9e8e2bada209255"],
  paypal: ["--webhook-id", "WH-LOCAL"],
  paddle: ["--secret", "pdl_ntfset_1"],
  hmac: [
    "--secret",
    "s3cr3t",
    "--signature-header",
    "X-Signature",
    "--algorithm",
    "sha512",
    "--encoding",
    "base64",
  ],
};

async function flagsFor(name: string): Promise<string[]> {
  const { createHash } = await import("node:crypto");
  const hash = createHash("sha256").update(body).digest("hex");
  return (cases[name] ?? []).map((flag) => flag.replace("__HASH__", hash));
}

describe("hook sign | hook verify", () => {
  it.each(Object.keys(cases))("round-trips %s", async (name) => {
    const flags = await flagsFor(name);
    const sign = await runCli(["sign", "--provider", name, ...flags, "--body-file", bodyFile], { cwd: dir });
    // GitHub's event name and Shopify's topic are not in this body: sign says what it assumed.
    expect(sign.stderr.replace(/^(\S+ )?warning: [\w-]+: .+ assumed .*\n/gm, "")).toBe("");
    expect(sign.code).toBe(0);
    let verify: Awaited<ReturnType<typeof runCli>>;
    if (name === "liqpay") {
      // The signature is a form field: sign prints the signed body, which is what verify checks.
      writeFileSync(join(dir, "liqpay.txt"), sign.stdout.trimEnd());
      verify = await runCli(
        ["verify", "--provider", name, ...flags, "--body-file", join(dir, "liqpay.txt")],
        { cwd: dir },
      );
    } else {
      expect(sign.stdout).toMatch(/^[\w-]+: .+/);
      verify = await runCli(
        ["verify", "--provider", name, ...flags, "--body-file", bodyFile, "--header", "@-"],
        {
          cwd: dir,
          stdin: sign.stdout,
        },
      );
    }
    expect(verify.stderr).toBe("");
    expect(verify.stdout).toBe("valid\n");
    expect(verify.code).toBe(0);

    if (name !== "telegram" && name !== "liqpay") {
      const other = join(dir, `${name}-changed.json`);
      writeFileSync(other, body.replace("Zoë", "Zoe"));
      const changed = await runCli(
        ["verify", "--provider", name, ...flags, "--body-file", other, "--header", "@-"],
        {
          cwd: dir,
          stdin: sign.stdout,
        },
      );
      expect(changed.code).toBe(1);
      expect(changed.stderr).toMatch(/^hook: not valid: /);
    }
  });
});

describe("hook sign output", () => {
  it("prints --json headers and takes the body on stdin", async () => {
    const result = await runCli(
      [
        "sign",
        "--provider",
        "stripe",
        "--secret",
        "whsec_test_secret",
        "--timestamp",
        "1700000000",
        "--json",
      ],
      {
        stdin: '{"id":"evt_test_webhook","object":"event"}',
      },
    );
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      kind: "signature",
      provider: "stripe",
      headers: {
        "Content-Type": "application/json; charset=utf-8",
        "Stripe-Signature":
          "t=1700000000,v1=d95c6b7477fbd7e9f90b1b0ef5f9c7ac25abca5382460e0d988c2b2a5b71b990",
      },
    });
  });

  it("prints the headers it was asked for unredacted: a Telegram signature header is the secret itself", async () => {
    const secret = "tg-secret-token-value-1";
    const plain = await runCli(["sign", "--provider", "telegram", "--secret", secret], { stdin: "{}" });
    const json = await runCli(["sign", "--provider", "telegram", "--secret", secret, "--json"], {
      stdin: "{}",
    });
    expect(plain.stdout).toBe(`Content-Type: application/json\nX-Telegram-Bot-Api-Secret-Token: ${secret}\n`);
    expect(JSON.parse(json.stdout).headers).toEqual({
      "Content-Type": "application/json",
      "X-Telegram-Bot-Api-Secret-Token": secret,
    });
  });

  describe("--curl", () => {
    let target: Target | undefined;
    afterEach(async () => {
      await target?.close();
      target = undefined;
    });

    it.each([
      ["--body-file", true],
      ["stdin, quoted", false],
    ])("prints a curl command that delivers the exact bytes and headers (%s)", async (_label, useFile) => {
      target = await new Target().start();
      const url = `${target.url}/webhooks/github`;
      const args = ["sign", "--provider", "github", "--secret", "gh", "--curl", url];
      const result = await runCli(useFile ? [...args, "--body-file", bodyFile] : args, {
        stdin: useFile ? undefined : body,
      });
      expect(result.code).toBe(0);
      expect(result.stdout).toContain(useFile ? `--data-binary '@${bodyFile}'` : "--data-binary '{");
      await promisify(execFile)("sh", ["-c", result.stdout]);
      await target.waitFor(1);
      const got = target.received[0];
      expect(got?.body.toString()).toBe(body);
      expect(got?.headers["content-type"]).toBe("application/json");
      const verify = await runCli([
        "verify",
        "--provider",
        "github",
        "--secret",
        "gh",
        "--body-file",
        bodyFile,
        "--header",
        `X-Hub-Signature-256: ${got?.headers["x-hub-signature-256"]}`,
      ]);
      expect(verify.code).toBe(0);
    });

    it("never lets curl read a body from stdin that starts with @ as a file name", async () => {
      target = await new Target().start();
      const result = await runCli(["sign", "--provider", "github", "--secret", "x", "--curl", target.url], {
        stdin: "@/etc/hostname",
      });
      expect(result.code).toBe(0);
      expect(result.stdout).not.toContain("--data-binary '@/etc/hostname'");
      await promisify(execFile)("sh", ["-c", result.stdout]);
      await target.waitFor(1);
      expect(target.received[0]?.body.toString()).toBe("@/etc/hostname");
    });

    it("pipes a body that is not UTF-8 from printf, byte for byte", async () => {
      target = await new Target().start();
      const binary = Buffer.from([0x7b, 0xff, 0x00, 0x27, 0x5c, 0x0a, 0xc3, 0x28, 0x7d]);
      const result = await runCli(
        ["sign", "--provider", "hmac", "--signature-header", "X-Sig", "--secret", "k", "--curl", target.url],
        {
          stdin: binary,
        },
      );
      expect(result.code).toBe(0);
      await promisify(execFile)("sh", ["-c", result.stdout]);
      await target.waitFor(1);
      expect(target.received[0]?.body.equals(binary)).toBe(true);
    });
  });
});

describe("hook verify results", () => {
  it("prints a --json verdict, ok or not, with the reason", async () => {
    const sign = await runCli(["sign", "--provider", "github", "--secret", "a", "--body-file", bodyFile]);
    const ok = await runCli(
      [
        "verify",
        "--provider",
        "github",
        "--secret",
        "a",
        "--body-file",
        bodyFile,
        "--header",
        "@-",
        "--json",
      ],
      {
        stdin: sign.stdout,
      },
    );
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ kind: "verdict", ok: true, provider: "github" });
    const bad = await runCli(
      [
        "verify",
        "--provider",
        "github",
        "--secret",
        "b",
        "--body-file",
        bodyFile,
        "--header",
        "@-",
        "--json",
      ],
      {
        stdin: sign.stdout,
      },
    );
    expect(bad.code).toBe(1);
    expect(JSON.parse(bad.stdout)).toMatchObject({
      kind: "verdict",
      ok: false,
      code: "no-match",
      reason: "no signature matches",
    });
  });

  it("accepts the second of two rotated secrets", async () => {
    const sign = await runCli(["sign", "--provider", "slack", "--secret", "new", "--body-file", bodyFile]);
    const result = await runCli(
      [
        "verify",
        "--provider",
        "slack",
        "--secret",
        "old",
        "--secret",
        "new",
        "--body-file",
        bodyFile,
        "--header",
        "@-",
      ],
      { stdin: sign.stdout },
    );
    expect(result.code).toBe(0);
  });

  it("exits 1 and says by how much a timestamp is out of tolerance", async () => {
    const old = Math.floor(Date.now() / 1000) - 3600;
    const sign = await runCli([
      "sign",
      "--provider",
      "stripe",
      "--secret",
      "whsec_a",
      "--body-file",
      bodyFile,
      "--timestamp",
      String(old),
    ]);
    const result = await runCli(
      ["verify", "--provider", "stripe", "--secret", "whsec_a", "--body-file", bodyFile, "--header", "@-"],
      {
        stdin: sign.stdout,
      },
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /^hook: not valid: timestamp too old: signed 1h( 0m)?( \d+s)? ago, 55m( \d+s)? beyond the 5m tolerance\nhint: /,
    );
    const wider = await runCli(
      [
        "verify",
        "--provider",
        "stripe",
        "--secret",
        "whsec_a",
        "--body-file",
        bodyFile,
        "--header",
        "@-",
        "--tolerance",
        "2h",
      ],
      { stdin: sign.stdout },
    );
    expect(wider.code).toBe(0);
  });
});
