/**
 * The docs are part of the product: a link that leads nowhere, or a flag `--help` shows that no page
 * explains, is a bug. These tests read the real files and the real `--help` of the built CLI.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT, runCli } from "../helpers/cli.js";
import { brokenLinks, markdownFiles, prose } from "./markdown.js";

/** Where each command's reference lives; any other command `hook X` is expected in docs/X.md. */
const PAGE: Record<string, string> = {
  trigger: "docs/replay.md",
  fixtures: "docs/replay.md",
  sign: "docs/sign-verify.md",
  verify: "docs/sign-verify.md",
  completion: "README.md",
  unregister: "docs/register.md",
};

/** The flags in the option column of `--help` (not flags a description merely mentions). */
function helpFlags(help: string): string[] {
  const section = help.split(/^Options:\n/m)[1]?.split(/^\S.*:\n/m)[0] ?? "";
  const flags: string[] = [];
  for (const line of section.split("\n")) {
    const term = line.trim().split(/\s{2,}/)[0] ?? "";
    if (!term.startsWith("-")) continue;
    for (const [flag] of term.matchAll(/--[a-z][a-z0-9-]*/g)) if (flag !== "--help") flags.push(flag);
  }
  return flags;
}

function helpCommands(help: string): string[] {
  const section = help.split(/^Commands:\n/m)[1] ?? "";
  return section
    .split("\n")
    .map((line) => /^ {2}([a-z][a-z-]*)/.exec(line)?.[1])
    .filter((name): name is string => name !== undefined && name !== "help");
}

const mentions = (text: string, flag: string) => new RegExp(`(?<![\\w-])${flag}(?![\\w-])`).test(text);

describe("docs", () => {
  it("have no broken relative link in README.md or docs/", () => {
    const broken = markdownFiles().flatMap(brokenLinks);
    expect(broken.map((b) => `${b.file}: (${b.link}): ${b.why}`)).toEqual([]);
  });

  it("mention every flag that --help shows, on the command's own page", async () => {
    const top = await runCli(["--help"]);
    const commands = helpCommands(top.stdout);
    expect(commands).toContain("listen");
    const everything = markdownFiles()
      .map((f) => readFileSync(join(ROOT, f), "utf8"))
      .join("\n");
    const missing: string[] = [];
    for (const flag of helpFlags(top.stdout)) {
      if (!mentions(everything, flag)) missing.push(`hook ${flag}: no page mentions it`);
    }
    for (const command of commands) {
      const page = PAGE[command] ?? `docs/${command}.md`;
      if (!existsSync(join(ROOT, page))) {
        missing.push(
          `hook ${command}: has no page: write ${page} (or map the command in PAGE in test/docs/docs.test.ts)`,
        );
        continue;
      }
      const text = readFileSync(join(ROOT, page), "utf8");
      const { stdout } = await runCli([command, "--help"]);
      for (const flag of helpFlags(stdout)) {
        if (!mentions(text, flag)) missing.push(`hook ${command} ${flag}: not mentioned in ${page}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it("list every --json kind the code prints in docs/json-output.md", () => {
    const sources = readdirSync(join(ROOT, "src"), { recursive: true, encoding: "utf8" }).filter((f) =>
      f.endsWith(".ts"),
    );
    const kinds = new Set<string>();
    for (const file of sources) {
      // Output.data(kind, fields) is the one way a --json line is printed.
      for (const [, kind] of readFileSync(join(ROOT, "src", file), "utf8").matchAll(
        /\.data\(\s*"([a-z-]+)"/g,
      )) {
        kinds.add(kind as string);
      }
    }
    expect(kinds.size).toBeGreaterThan(10);
    const page = readFileSync(join(ROOT, "docs/json-output.md"), "utf8");
    const missing = [...kinds].filter((kind) => !page.includes(`| \`${kind}\` |`));
    expect(missing.map((k) => `kind "${k}": no row in docs/json-output.md`)).toEqual([]);
  });

  it("keep README.md a front page: at most 250 lines, the reference one click away in docs/", () => {
    const lines = readFileSync(join(ROOT, "README.md"), "utf8").split("\n").length;
    expect(lines, "README.md is the front page; move reference material to a docs/ page").toBeLessThanOrEqual(
      250,
    );
  });

  it("find the broken link and the undocumented flag they are meant to find", () => {
    // The checks themselves, on known input: a test of the docs that cannot fail proves nothing.
    expect(
      helpFlags("Usage: x\n\nOptions:\n  -p, --port <n>  the port; see --host\n  -h, --help  help\n"),
    ).toEqual(["--port"]);
    expect(mentions("use `--no-tunnel`", "--tunnel")).toBe(false);
    expect(mentions("hook listen --port 0", "--port")).toBe(true);
    expect(prose("a\n```sh\n[x](nowhere.md)\n```\nb")).not.toContain("nowhere");
  });
});
