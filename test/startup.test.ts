import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { BIN, ROOT } from "./helpers/cli.js";

const HOOKS = pathToFileURL(join(ROOT, "test/helpers/record-imports.mjs")).href;
const REGISTER = `data:text/javascript,import{register}from"node:module";register(${JSON.stringify(HOOKS)});`;

async function importsOf(args: string[], dir: string): Promise<string[]> {
  const { spawnSync } = await import("node:child_process");
  const record = join(dir, `imports-${args.join("-")}.txt`);
  const result = spawnSync(process.execPath, ["--import", REGISTER, BIN, ...args], {
    env: { PATH: process.env.PATH, RECORD_IMPORTS: record, NO_COLOR: "1" },
    encoding: "utf8",
  });
  expect(result.status).toBe(0);
  return readFileSync(record, "utf8").split("\n").filter(Boolean);
}

describe("start-up", () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  // Heavy modules load only in the commands that use them: `hook --help` must stay fast.
  it.each([["--help"], ["--version"], ["providers", "--help"]])(
    "hook %s loads no command, provider or heavy module",
    async (...args) => {
      const dir = mkdtempSync(join(tmpdir(), "hook-startup-"));
      dirs.push(dir);
      const loaded = await importsOf(args, dir);
      expect(loaded.some((url) => url.endsWith("/dist/cli.js"))).toBe(true);
      const heavy = loaded.filter((url) =>
        /node_modules\/(undici|ora|chalk|cloudflared)\/|\/dist\/(commands|providers|receive|deliver|poll|replay|check|tunnel)\//.test(
          url,
        ),
      );
      expect(heavy).toEqual([]);
    },
  );

  it("the recorder sees a command's own imports (so the test above can fail)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "hook-startup-"));
    dirs.push(dir);
    const loaded = await importsOf(["providers", "--json"], dir);
    expect(loaded.some((url) => url.includes("/dist/providers/"))).toBe(true);
    expect(loaded.some((url) => url.includes("/node_modules/chalk/"))).toBe(true);
  });
});
