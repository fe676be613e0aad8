import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "./helpers/cli.js";

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
});
