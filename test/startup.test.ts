import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { BIN, ROOT } from "./helpers/cli.js";

const HOOKS = pathToFileURL(join(ROOT, "test/helpers/record-imports.mjs")).href;
const REGISTER = `data:text/javascript,import{register}from"node:module";register(${JSON.stringify(HOOKS)});`;

/** Every module a run of the CLI resolves: dist/ files as "dist/…", packages as "pkg:NAME". */
async function importsOf(args: string[], dir: string): Promise<string[]> {
  const { spawnSync } = await import("node:child_process");
  const record = join(dir, `imports-${args.join("-")}.txt`);
  const result = spawnSync(process.execPath, ["--import", REGISTER, BIN, ...args], {
    env: { PATH: process.env.PATH, RECORD_IMPORTS: record, NO_COLOR: "1" },
    encoding: "utf8",
  });
  expect(result.status).toBe(0);
  const urls = readFileSync(record, "utf8").split("\n").filter(Boolean);
  return urls.map(
    (url) => url.match(/\/(dist\/.*)$/)?.[1] ?? url.match(/node_modules\/((@[^/]+\/)?[^/]+)\//)?.[1] ?? url,
  );
}

/** What start-up may load: the CLI's entry and its small helpers, commander, and the command list. */
const HEAVY =
  /^(undici|ora|chalk|cloudflared)$|^dist\/(providers|receive|deliver|poll|replay|check|tunnel|inspect|register)\//;
const COMMAND_PLUMBING = [
  "dist/commands/command.js",
  "dist/commands/options.js",
  "dist/commands/program.js",
  "dist/commands/program-config.js",
];
const commandModules = (loaded: string[]) =>
  loaded.filter((m) => m.startsWith("dist/commands/") && !COMMAND_PLUMBING.includes(m));

/**
 * What Node loads before a built module's own code runs: its static imports, transitively (dynamic
 * import() and erased type imports excluded), as "dist/…" files and package names.
 */
function staticGraph(file: string, seen = new Set<string>()): Set<string> {
  const path = join(ROOT, file);
  if (seen.has(file) || !existsSync(path)) return seen;
  seen.add(file);
  const text = readFileSync(path, "utf8");
  for (const [, target] of text.matchAll(/^(?:import|export)\s(?:[^;]*?from\s*)?"([^"]+)";/gms)) {
    if (!target || target.startsWith("node:")) continue;
    if (!target.startsWith(".")) seen.add(target.split("/")[0] ?? target);
    else staticGraph(relative(ROOT, resolve(dirname(path), target)), seen);
  }
  return seen;
}

describe("start-up", () => {
  const dirs: string[] = [];
  const tempDir = () => {
    const dir = mkdtempSync(join(tmpdir(), "hook-startup-"));
    dirs.push(dir);
    return dir;
  };
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  // bin/hook.js answers it; commander loads through require(), which the recorder does not see, from dist/.
  it.each(["--version", "-v"])(
    "hook %s loads nothing from dist/, so neither commander nor any command",
    async (flag) => {
      const loaded = await importsOf([flag], tempDir());
      expect(loaded.some((m) => m.endsWith("/bin/hook.js"))).toBe(true);
      expect(loaded.filter((m) => m.startsWith("dist/"))).toEqual([]);
    },
  );

  // `hook --help` lists the commands from cli.ts alone: no command's flags, let alone its code.
  it.each(["--help", "help", ""])("hook %s loads no command's flags or implementation", async (word) => {
    const loaded = await importsOf(word ? [word] : [], tempDir());
    expect(loaded).toContain("dist/commands/program.js");
    expect(commandModules(loaded)).toEqual([]);
    expect(loaded.filter((m) => HEAVY.test(m))).toEqual([]);
  });

  // A command's --help loads its flags, never its implementation.
  it.each([
    ["listen", ["dist/commands/listen-flags.js"]],
    ["help listen", ["dist/commands/listen-flags.js"]],
    ["poll", ["dist/commands/poll-flags.js"]],
    ["providers", []],
  ])("hook %s --help loads only that command's flags", async (command, flags) => {
    const args = command.startsWith("help ") ? command.split(" ") : [command, "--help"];
    const loaded = await importsOf(args, tempDir());
    expect(commandModules(loaded)).toEqual(flags);
    expect(loaded.filter((m) => HEAVY.test(m))).toEqual([]);
  });

  // listen binds its port from listen.js before importing listen-serve.js, which loads the rest.
  it("hook listen binds before loading undici, chalk, the providers or the outbox", () => {
    const beforeBind = [...staticGraph("dist/commands/listen.js")];
    expect(beforeBind).toContain("dist/receive/server.js");
    const needed = ["dist/receive/server.js", "dist/receive/replies.js"];
    const heavy = beforeBind.filter(
      (m) => !needed.includes(m) && (HEAVY.test(m) || /^dist\/(store|events)\//.test(m)),
    );
    expect(heavy).toEqual([]);
    // The same reading of the module that serves finds them, so the line above can fail.
    const serving = [...staticGraph("dist/commands/listen-serve.js")];
    expect(serving).toEqual(expect.arrayContaining(["undici", "chalk", "dist/providers/index.js"]));
  });

  it("the recorder sees a command's own imports (so the tests above can fail)", async () => {
    const loaded = await importsOf(["providers", "--json"], tempDir());
    expect(loaded).toContain("dist/commands/providers.js");
    expect(loaded.some((m) => m.startsWith("dist/providers/"))).toBe(true);
    expect(loaded).toContain("chalk");
  });
});
