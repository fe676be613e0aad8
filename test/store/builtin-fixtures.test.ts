import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  builtinDir,
  builtinProviders,
  builtinSamples,
  saveFolder,
} from "../../src/store/builtin-fixtures.js";
import { ROOT, runCli } from "../helpers/cli.js";

const sample = (provider: string, event: string) =>
  JSON.stringify({
    hook: 1,
    provider,
    event,
    id: "evt_local",
    request: { method: "POST", path: "/", headers: {}, body: "{}" },
  });

describe("where built-in samples live", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "hook-samples-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("a folder not named after a provider (captured webhooks) is not a provider of samples", () => {
    mkdirSync(join(dir, "stripe"));
    mkdirSync(join(dir, "captured"));
    writeFileSync(join(dir, "stripe", "a.json"), sample("stripe", "a.b"));
    writeFileSync(join(dir, "captured", "stripe-a.b-1.json"), sample("stripe", "a.b"));
    expect(builtinProviders(dir)).toEqual(["stripe"]);
    expect(builtinSamples(undefined, dir).map((s) => s.file)).toEqual([join(dir, "stripe", "a.json")]);
  });

  it("hook fixtures lists the package's own samples whatever the working folder holds", async () => {
    mkdirSync(join(dir, "fixtures", "stripe"), { recursive: true });
    writeFileSync(join(dir, "fixtures", "stripe", "local.json"), sample("stripe", "local.only"));
    const listed = await runCli(["fixtures", "--json"], { cwd: dir });
    expect(listed.code).toBe(0);
    const files = listed.stdout
      .trim()
      .split("\n")
      .map((l) => (JSON.parse(l) as { file: string }).file);
    expect(files.length).toBeGreaterThan(0);
    expect(files.every((f) => f.startsWith(builtinDir()))).toBe(true);
    expect(builtinDir()).toBe(join(ROOT, "fixtures/"));
    expect(listed.stdout).not.toContain("local.only");
  });

  it("listen --save into the built-in samples is refused (exit 2) and creates nothing; elsewhere is fine", async () => {
    const relative = await runCli(["listen", "--no-tunnel", "--port", "0", "--save", "fixtures/captured"], {
      cwd: ROOT,
    });
    expect(relative.code).toBe(2);
    expect(relative.stderr).toMatch(/--save: fixtures\/captured is inside hook's built-in samples/);
    expect(relative.stderr).toMatch(/hint: save captured webhooks somewhere else/);
    const absolute = await runCli(["listen", "--no-tunnel", "--save", join(builtinDir(), "stripe")], {
      cwd: dir,
    });
    expect(absolute.code).toBe(2);
    expect(existsSync(join(ROOT, "fixtures", "captured"))).toBe(false);
    expect(saveFolder("captures", dir)).toBe(join(dir, "captures"));
    expect(saveFolder("fixtures/captured", dir)).toBe(join(dir, "fixtures", "captured"));
  });
});
