import { spawn } from "node:child_process";
import { createHmac } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { BIN, runCli } from "./helpers/cli.js";

describe("hook (the CLI shell)", () => {
  it("prints help and exits 0", async () => {
    const result = await runCli(["--help"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("listen");
    expect(result.stdout).toContain("replay");
    expect(result.stdout).toContain("poll");
  });

  it("prints the package version", async () => {
    const result = await runCli(["--version"]);
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it("turns a bad flag into one hook: line, a hint and exit 2", async () => {
    const result = await runCli(["providers", "--bogus"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^hook: unknown option '--bogus'\nhint: /);
  });

  it("rejects an unknown command with exit 2", async () => {
    const result = await runCli(["lisen"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^hook: unknown command 'lisen'/);
  });

  it("rejects unknown config keys and sections by name", async () => {
    const dir = mkdtempSync(join(tmpdir(), "hook-config-"));
    writeFileSync(join(dir, "hook.config.json"), JSON.stringify({ providers: { colour: "red" } }));
    const badKey = await runCli(["providers"], { cwd: dir });
    expect(badKey.code).toBe(2);
    expect(badKey.stderr).toContain('unknown key "colour" in section "providers"');

    writeFileSync(join(dir, "hook.config.json"), JSON.stringify({ lisen: {} }));
    const badSection = await runCli(["providers"], { cwd: dir });
    expect(badSection.code).toBe(2);
    expect(badSection.stderr).toContain('unknown section "lisen"');

    // A switch takes true or false; "yes" must not silently mean "off".
    writeFileSync(join(dir, "hook.config.json"), JSON.stringify({ listen: { durable: "yes" } }));
    const badSwitch = await runCli(["listen", "--no-tunnel"], { cwd: dir });
    expect(badSwitch.code).toBe(2);
    expect(badSwitch.stderr).toContain('"durable" in section "listen" must be true or false, not "yes"');

    writeFileSync(join(dir, "hook.config.json"), JSON.stringify({ listen: { port: true } }));
    const badValue = await runCli(["listen", "--no-tunnel"], { cwd: dir });
    expect(badValue.code).toBe(2);
    expect(badValue.stderr).toContain('"port" in section "listen" must be a text or a number, not true');

    writeFileSync(join(dir, "hook.config.json"), "{ not json");
    const badJson = await runCli(["providers"], { cwd: dir });
    expect(badJson.code).toBe(2);
    expect(badJson.stderr).toContain("is not valid JSON");
  });

  it("a missing --config file is an error that names it", async () => {
    const result = await runCli(["--config", "/nonexistent/hook.json", "providers"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("/nonexistent/hook.json");
  });

  it("ends quietly when the reader of stdout goes away (hook … --json | head -1)", async () => {
    const child = spawn(process.execPath, [BIN, "fixtures", "--json"], { stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (d: string) => {
      stderr += d;
    });
    // Read one chunk, then close the pipe as `head -1` does.
    await new Promise<void>((resolve) => child.stdout.once("data", () => resolve()));
    child.stdout.destroy();
    const code = await new Promise<number | null>((resolve) => child.on("close", (c) => resolve(c)));
    expect(stderr).not.toMatch(/EPIPE|Error/);
    expect(code).toBe(0);
  });

  it("takes each option from flag, then environment, then hook.config.json, then the default", async () => {
    const dir = mkdtempSync(join(tmpdir(), "hook-precedence-"));
    writeFileSync(join(dir, "body.json"), '{"a":1}');
    writeFileSync(
      join(dir, "hook.config.json"),
      JSON.stringify({ sign: { secret: "from-config", provider: "github" } }),
    );
    const signedWith = (secret: string) =>
      `sha256=${createHmac("sha256", secret).update('{"a":1}').digest("hex")}`;
    const sign = async (args: string[], env: Record<string, string> = {}) => {
      // The event is named, so sign has nothing to assume (and nothing to warn about) for this body.
      const event = ["--header", "X-GitHub-Event: push"];
      const result = await runCli(["sign", "--body-file", "body.json", ...event, ...args], { cwd: dir, env });
      expect(result.stderr).toBe("");
      return /X-Hub-Signature-256: (\S+)/.exec(result.stdout)?.[1];
    };
    expect(await sign([])).toBe(signedWith("from-config"));
    expect(await sign([], { HOOK_SECRET: "from-env" })).toBe(signedWith("from-env"));
    expect(await sign(["--secret", "from-flag"], { HOOK_SECRET: "from-env" })).toBe(signedWith("from-flag"));
    expect(await sign(["--secret", "env:MY_SECRET"], { MY_SECRET: "from-reference" })).toBe(
      signedWith("from-reference"),
    );
  });
});
