import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ROOT } from "./helpers/cli.js";
import { importsOf } from "./helpers/imports.js";

/** Every module a run of the CLI resolves: dist/ files as "dist/…", packages by name. */
function loadedBy(args: string[], dir: string, cwd?: string): string[] {
  const result = importsOf(args, dir, { cwd });
  expect(result.status).toBe(0);
  return result.loaded;
}

/** What start-up may load: the CLI's entry and its small helpers, commander, and the command list. */
const HEAVY =
  /^(undici|ora|chalk|cloudflared)$|^dist\/(providers|receive|deliver|poll|replay|check|tunnel|inspect|register)\//;
const COMMAND_PLUMBING = [
  "dist/commands/command.js",
  "dist/commands/options.js",
  "dist/commands/program.js",
  "dist/commands/program-config.js",
  "dist/commands/program-help.js",
  "dist/commands/program-flags.js",
  "dist/commands/listen-early.js",
];
const commandModules = (loaded: string[]) => [
  ...new Set(loaded.filter((m) => m.startsWith("dist/commands/") && !COMMAND_PLUMBING.includes(m))),
];

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
    (flag) => {
      const loaded = loadedBy([flag], tempDir());
      expect(loaded.some((m) => m.endsWith("/bin/hook.js"))).toBe(true);
      expect(loaded.filter((m) => m.startsWith("dist/"))).toEqual([]);
    },
  );

  // bin/hook.js prints the screens commander rendered at build time (help-screens.test.ts checks them).
  const screens = [["--help"], ["-h"], ["help"], [], ["listen", "--help"], ["help", "poll"]];
  it.each(screens.map((words) => [words.join(" ") || "(no words)", words] as const))(
    "hook %s loads neither commander's program nor the command list",
    (_name, words) => {
      const loaded = loadedBy(words, tempDir(), tempDir());
      expect(loaded).toContain("dist/commands/program-help.js");
      expect(loaded).not.toContain("dist/cli.js");
      expect(loaded.filter((m) => HEAVY.test(m) || m.startsWith("dist/commands/program."))).toEqual([]);
    },
  );

  // When commander prints the help (here: --debug before --help), it lists the commands from cli.ts alone.
  it("hook --debug --help loads no command's flags or implementation", () => {
    const loaded = loadedBy(["--debug", "--help"], tempDir());
    expect(loaded).toContain("dist/commands/program.js");
    expect(commandModules(loaded)).toEqual([]);
    expect(loaded.filter((m) => HEAVY.test(m))).toEqual([]);
  });

  // Where a config file is read first, commander prints a command's help: it loads its flags, never its code.
  it.each([
    ["listen", ["dist/commands/listen-flags.js"]],
    ["help listen", ["dist/commands/listen-flags.js"]],
    ["poll", ["dist/commands/poll-flags.js"]],
    ["providers", []],
  ])("hook %s --help beside a config file loads only that command's flags", (command, flags) => {
    const cwd = tempDir();
    writeFileSync(join(cwd, "hook.config.json"), "{}");
    const args = command.startsWith("help ") ? command.split(" ") : [command, "--help"];
    const loaded = loadedBy(args, tempDir(), cwd);
    expect(loaded).toContain("dist/commands/program.js");
    expect(commandModules(loaded)).toEqual(flags);
    expect(loaded.filter((m) => HEAVY.test(m))).toEqual([]);
  });

  // listen binds its port from listen-bind.js (from bin/hook.js through listen-early.js, or from listen.js
  // after commander has parsed) before importing listen-serve.js, which loads the rest.
  it.each(["dist/commands/listen-bind.js", "dist/commands/listen.js"])(
    "hook listen binds from %s before loading undici, chalk, the providers or the outbox",
    (binds) => {
      const beforeBind = [...staticGraph(binds)];
      expect(beforeBind).toContain("dist/receive/server.js");
      const needed = ["dist/receive/server.js", "dist/receive/replies.js"];
      const heavy = beforeBind.filter(
        (m) => !needed.includes(m) && (HEAVY.test(m) || /^dist\/(store|events)\//.test(m)),
      );
      expect(heavy).toEqual([]);
      // The same reading of the module that serves finds them, so the line above can fail.
      const serving = [...staticGraph("dist/commands/listen-serve.js")];
      expect(serving).toEqual(expect.arrayContaining(["undici", "chalk", "dist/providers/index.js"]));
    },
  );

  it("the recorder sees a command's own imports (so the tests above can fail)", () => {
    const loaded = loadedBy(["providers", "--json"], tempDir());
    expect(loaded).toContain("dist/commands/providers.js");
    expect(loaded.some((m) => m.startsWith("dist/providers/"))).toBe(true);
    expect(loaded).toContain("chalk");
  });
});
