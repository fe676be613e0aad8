import { resolve } from "node:path";

const CONFIG_FILE = "hook.config.json";

/**
 * Where the config file is: --config's file, else hook.config.json in `cwd`. A module of its own so
 * that bin/hook.js's prebuilt help can look for the file without loading the config reader.
 */
export function configPath(cwd: string, explicitPath?: string): string {
  return resolve(cwd, explicitPath ?? CONFIG_FILE);
}
