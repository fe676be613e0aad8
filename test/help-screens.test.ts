import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { commandNames } from "../src/cli.js";
import { HELP_WIDTH } from "../src/commands/program-help.js";
import { renderHelp } from "../src/commands/program-render.js";
import { BIN, runCli } from "./helpers/cli.js";
import { importsOf, moduleNames, REGISTER } from "./helpers/imports.js";

/**
 * bin/hook.js prints help from dist/help.json, made at build time, without commander. Every screen it
 * prints is compared byte for byte with commander's own rendering of the current source, so a stale
 * file (a flag's text changed, the build not rerun) fails here.
 */

/** Every way to ask for a screen that bin/hook.js answers from the file. */
function helpWords(): string[][] {
  const program = [[], ["--help"], ["-h"], ["help"]];
  const commands = commandNames().flatMap((name) => [
    [name, "--help"],
    [name, "-h"],
    ["help", name],
  ]);
  return [...program, ...commands];
}

/** `hook ...words` on a pseudo-terminal `columns` wide (util-linux `script`), its imports recorded. */
function onTerminal(words: string[], columns: number, cwd: string, record: string) {
  const quote = (text: string) => `'${text.replaceAll("'", `'\\''`)}'`;
  const hook = [process.execPath, "--import", REGISTER, BIN, ...words].map(quote).join(" ");
  const child = spawn("script", ["-qfec", `stty cols ${columns} rows 50; exec ${hook}`, "/dev/null"], {
    cwd,
    env: { PATH: process.env.PATH, TERM: "xterm", RECORD_IMPORTS: record },
    stdio: ["pipe", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (d: Buffer) => {
    output += d.toString("utf8");
  });
  return new Promise<{ output: string; loaded: string[] }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`hook ${words.join(" ")} on a terminal hung`)), 20_000);
    child.on("close", () => {
      clearTimeout(timer);
      // The terminal turns each line break into CR LF.
      resolve({ output: output.replaceAll("\r\n", "\n"), loaded: moduleNames(record) });
    });
  });
}

describe("prebuilt help screens", () => {
  const dirs: string[] = [];
  const tempDir = () => {
    const dir = mkdtempSync(join(tmpdir(), "hook-help-"));
    dirs.push(dir);
    return dir;
  };
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it("every screen bin/hook.js prints on a pipe is commander's, byte for byte", async () => {
    const cwd = tempDir();
    const all = helpWords();
    expect(all.length).toBeGreaterThan(30);
    for (const words of all) {
      const [printed, rendered] = await Promise.all([runCli(words, { cwd }), renderHelp(words, cwd)]);
      expect({ words, code: printed.code, stderr: printed.stderr }).toEqual({ words, code: 0, stderr: "" });
      expect(printed.stdout, `hook ${words.join(" ")}`).toBe(rendered);
    }
  });

  it("the file holds no colour, so NO_COLOR and FORCE_COLOR cannot change what commander prints", () => {
    const help = JSON.parse(readFileSync(new URL("../dist/help.json", import.meta.url), "utf8"));
    expect(Object.values(help.screens).join("")).not.toContain("\u001b");
  });

  // The variables commander reads into options are parsed before it prints help; they change nothing.
  it("a command's screen is the same with every variable its flags read set", async () => {
    const cwd = tempDir();
    const commanderCwd = tempDir();
    writeFileSync(join(commanderCwd, "hook.config.json"), "{}");
    for (const name of commandNames()) {
      const screen = (await runCli([name, "--help"], { cwd })).stdout;
      const names = [...screen.matchAll(/\(env: ([A-Z0-9_]+)\)/g)].map((m) => m[1] as string);
      const env = {
        FORCE_COLOR: "1",
        NO_COLOR: undefined,
        ...Object.fromEntries(names.map((n) => [n, "x"])),
      };
      const fast = await runCli([name, "--help"], { cwd, env });
      const commander = await runCli([name, "--help"], { cwd: commanderCwd, env });
      expect(fast.stdout, name).toBe(commander.stdout);
      expect(fast.stdout, name).toBe(screen);
    }
  });

  it("beside a config file, a command's help is commander's, which reads the file first", async () => {
    const cwd = tempDir();
    writeFileSync(join(cwd, "hook.config.json"), JSON.stringify({ nosuchcommand: {} }));
    const result = await runCli(["listen", "--help"], { cwd });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('unknown section "nosuchcommand"');
    expect(result.stdout).toBe("");
    // The program's own screen reads no config, prebuilt or not.
    const program = await runCli(["--help"], { cwd });
    expect(program.stdout).toBe(await renderHelp(["--help"], cwd));
  });

  // commander answers an unknown command's --help with the program's help.
  it.each(["constructor", "nosuch"])("hook %s --help is commander's, not a screen", async (name) => {
    const cwd = tempDir();
    const result = importsOf([name, "--help"], tempDir(), { cwd });
    expect(result.status).toBe(0);
    expect(result.loaded).toContain("dist/cli.js");
    expect(result.stdout).toBe(await renderHelp([name, "--help"], cwd));
  });

  // commander wraps at the terminal's width; the file was wrapped at HELP_WIDTH columns.
  it.each([HELP_WIDTH, 120])("on a terminal %i columns wide the screen is commander's", async (columns) => {
    const cwd = tempDir();
    const words = ["listen", "--help"];
    const { output, loaded } = await onTerminal(words, columns, cwd, join(tempDir(), "imports.txt"));
    expect(output).toBe(await renderHelp(words, cwd, columns));
    // Prebuilt only at the width it was made for.
    expect(loaded.includes("dist/cli.js")).toBe(columns !== HELP_WIDTH);
  });

  it("the screens differ by width, so the terminal test above can fail", async () => {
    const cwd = tempDir();
    expect(await renderHelp(["listen", "--help"], cwd, 120)).not.toBe(
      await renderHelp(["listen", "--help"], cwd, HELP_WIDTH),
    );
  });
});
