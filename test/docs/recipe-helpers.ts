import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { BIN, ROOT } from "../helpers/cli.js";

/** A recipe file as shipped. */
export const recipe = (path: string): string => readFileSync(join(ROOT, path), "utf8");

/**
 * The places a recipe names on a real server (/srv/app, /etc/hook-poll.env, the app's port …) moved
 * into a temp folder; every other character of the recipe is run as written.
 */
export function relocate(text: string, places: Record<string, string>): string {
  let out = text;
  for (const [from, to] of Object.entries(places)) out = out.split(from).join(to);
  return out;
}

/** A folder with an executable named `hook` (this worktree's built CLI), as `npm install -g` makes one. */
export function hookOnPath(dir: string): string {
  const bin = join(dir, "bin");
  mkdirSync(bin, { recursive: true });
  symlinkSync(BIN, join(bin, "hook"));
  return bin;
}

export interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `command` with exactly `env` (as `env -i` would: nothing inherited), bounded in time. */
export function runClean(
  argv: string[],
  env: Record<string, string>,
  cwd: string,
  timeoutMs = 30_000,
): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn("env", ["-i", ...Object.entries(env).map(([k, v]) => `${k}=${v}`), ...argv], { cwd });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${argv.join(" ")} did not finish in ${timeoutMs}ms\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

export const hasCommand = (name: string): boolean =>
  spawnSync("sh", ["-c", `command -v ${name}`]).status === 0;

/** YAML documents as JSON, through Python's yaml module (Debian's python3-yaml), or undefined without it. */
export function yamlDocuments(path: string): unknown[] | undefined {
  const script = "import sys, json, yaml; print(json.dumps(list(yaml.safe_load_all(open(sys.argv[1])))))";
  const result = spawnSync("python3", ["-c", script, path], { encoding: "utf8" });
  return result.status === 0 ? (JSON.parse(result.stdout) as unknown[]) : undefined;
}

/** `KEY=value` lines (systemd's EnvironmentFile and a shell's `. file` read them alike here). */
export function envFileKeys(text: string): string[] {
  return text
    .split("\n")
    .filter((line) => /^[A-Z_][A-Z0-9_]*=/.test(line))
    .map((line) => line.slice(0, line.indexOf("=")));
}
