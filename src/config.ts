import { readFileSync } from "node:fs";
import { configPath } from "./config-path.js";
import { errorMessage, UsageError } from "./errors.js";
import { isObject } from "./is-object.js";

type ConfigSection = Record<string, unknown>;
type ConfigFile = Record<string, ConfigSection>;

/**
 * Reads `hook.config.json` (or the file given with --config). A missing default file is no config;
 * a missing --config file, bad JSON or a non-object section is an error that names the file.
 */
export function loadConfig(
  cwd: string,
  explicitPath?: string,
): { path: string; config: ConfigFile } | undefined {
  const path = configPath(cwd, explicitPath);
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    if (!explicitPath && (error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new UsageError(`config: cannot read ${path}: ${errorMessage(error)}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`config: ${path} is not valid JSON: ${errorMessage(error)}`);
  }
  if (!isObject(parsed))
    throw new UsageError(`config: ${path} must hold a JSON object with one section per command`);
  for (const [section, value] of Object.entries(parsed)) {
    if (section === "$schema") continue;
    if (!isObject(value)) throw new UsageError(`config: ${path}: section "${section}" must be an object`);
  }
  return { path, config: parsed as ConfigFile };
}

/** "env:NAME" reads variable NAME; anything else is the value itself. */
export function resolveSecretRef(value: string, env: NodeJS.ProcessEnv, flag: string): string {
  if (!value.startsWith("env:")) return value;
  const name = value.slice(4);
  const resolved = env[name];
  if (resolved === undefined || resolved === "") {
    throw new UsageError(
      `${flag}: environment variable ${name} is not set`,
      `export ${name}=... or pass the value itself`,
    );
  }
  return resolved;
}
