/**
 * `hook completion`: the printed scripts, loaded into real shells and asked for completions the way
 * the shells' own machinery asks (bash: COMP_WORDS/COMP_CWORD and the registered function).
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { providerNames } from "../../src/providers/index.js";
import { builtinSamples } from "../../src/store/builtin-fixtures.js";
import { runCli } from "../helpers/cli.js";

const has = (shell: string) => spawnSync("sh", ["-c", `command -v ${shell}`]).status === 0;
let dir: string;
const script: Record<string, string> = {};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "hook-completion-"));
  for (const shell of ["bash", "zsh", "fish"]) {
    const result = await runCli(["completion", shell]);
    expect(result.code).toBe(0);
    script[shell] = join(dir, `hook.${shell}`);
    writeFileSync(script[shell], result.stdout);
  }
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** What bash offers for the last word of `line` (a trailing space means a new, empty word). */
function bash(line: string): string[] {
  const words = line.split(" ");
  const program = `source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$((\${#COMP_WORDS[@]} - 1))
    fn=$(complete -p hook | sed -E 's/.*-F ([^ ]+).*/\\1/'); "$fn"; printf '%s\\n' "\${COMPREPLY[@]}"`;
  const out = execFileSync("bash", ["--norc", "-c", program, "bash", script.bash as string, ...words], {
    cwd: dir,
    encoding: "utf8",
  });
  return out.split("\n").filter(Boolean);
}

async function helpFlags(command: string): Promise<string[]> {
  const { stdout } = await runCli([command, "--help"]);
  return [...stdout.matchAll(/^ {2}(?:-\w, )?(--[a-z][a-z-]*)/gm)].map((m) => m[1] as string);
}

describe("hook completion bash, sourced in a real bash", () => {
  it("registers a completion function for hook", () => {
    const out = execFileSync("bash", [
      "--norc",
      "-c",
      `source "$1"; complete -p hook`,
      "bash",
      script.bash as string,
    ]);
    expect(out.toString()).toMatch(/complete -F \S+ hook/);
  });

  it("completes every command of the program and every flag of each", async () => {
    const { stdout } = await runCli(["--help"]);
    const commands = [...stdout.matchAll(/^ {2}([a-z]+) /gm)].map((m) => m[1]).filter((c) => c !== "help");
    expect(bash("hook ").sort()).toEqual([...commands].sort());
    expect(bash("hook li")).toEqual(["listen"]);
    for (const command of ["listen", "poll", "sign"]) {
      const flags = (await helpFlags(command)).filter((f) => f !== "--help");
      expect(bash(`hook ${command} --`)).toEqual(expect.arrayContaining(flags));
    }
  });

  it("completes provider names from the registry after --provider, and poll's own sources for poll", () => {
    expect(bash("hook listen --provider ").sort()).toEqual([...providerNames()].sort());
    expect(bash("hook sign --provider st").sort()).toEqual(["standard", "stripe"]);
    expect(bash("hook poll --provider ").sort()).toEqual(["github", "http", "liqpay", "stripe"]);
  });

  it("completes trigger's providers and each provider's built-in events, skipping flags and their values", () => {
    const stripe = builtinSamples("stripe").map((s) => s.event);
    expect(bash("hook trigger --to http://localhost:3000 stripe ").sort()).toEqual([...stripe].sort());
    expect(bash("hook trigger stripe payment_intent.s")).toEqual(["payment_intent.succeeded"]);
    const shopify = builtinSamples("shopify").map((s) => s.event);
    expect(bash("hook trigger shopify ").sort()).toEqual([...shopify].sort());
    expect(bash("hook trigger ")).toContain("github");
    expect(bash("hook fixtures ")).toContain("paddle");
  });

  it("completes file names where a flag takes a file, and nothing where it takes a URL or secret", () => {
    writeFileSync(join(dir, "event.json"), "{}");
    expect(bash("hook sign --body-file eve")).toEqual(["event.json"]);
    expect(bash("hook replay --to http://x eve")).toEqual(["event.json"]);
    expect(bash("hook listen --secret ")).toEqual([]);
    expect(bash("hook completion ")).toEqual(["bash", "zsh", "fish"]);
  });
});

describe.skipIf(!has("zsh"))("hook completion zsh, in a real zsh", () => {
  it("offers the same completions through bashcompinit", () => {
    const program = `autoload -U compinit && compinit -u -d "$2/zcomp"; source "$1"
      COMP_WORDS=(hook trigger stripe ""); COMP_CWORD=3; _hook; print -l -- $COMPREPLY`;
    const out = execFileSync("zsh", ["-f", "-c", program, "zsh", script.zsh as string, dir], {
      encoding: "utf8",
    });
    expect(out.split("\n").filter(Boolean).sort()).toEqual(
      builtinSamples("stripe")
        .map((s) => s.event)
        .sort(),
    );
  });
});

describe.skipIf(!has("fish"))("hook completion fish, in a real fish", () => {
  it("completes commands, providers and events with fish's own complete -C", () => {
    const ask = (line: string) =>
      execFileSync(
        "fish",
        ["--no-config", "-c", `source $argv[1]; complete -C "${line}"`, script.fish as string],
        {
          encoding: "utf8",
        },
      )
        .split("\n")
        .filter(Boolean)
        .map((l) => l.split("\t")[0]);
    expect(ask("hook li")).toEqual(["listen"]);
    expect(ask("hook poll --provider ").sort()).toEqual(["github", "http", "liqpay", "stripe"]);
    const shopify = builtinSamples("shopify").map((s) => s.event);
    expect(ask("hook trigger --to x shopify ").sort()).toEqual([...shopify].sort());
  });
});

it("hook completion with an unknown shell is a usage error naming the shells", async () => {
  const result = await runCli(["completion", "powershell"]);
  expect(result.code).toBe(2);
  expect(result.stderr).toMatch(/unknown shell "powershell"/);
  expect(result.stderr).toMatch(/bash, zsh, fish/);
});
