import type { Command } from "commander";
import { type loadConfig, resolveSecretRef } from "../config.js";
import { UsageError } from "../errors.js";
import { rememberSecret } from "../redact.js";
import type { Io } from "../ui/io.js";
import { type Flag, type Flags, toList } from "./options.js";

export type LoadedConfig = ReturnType<typeof loadConfig>;

/** Options whose values may be `env:NAME` references and must never be printed. */
const SECRET_OPTIONS = ["secret", "forwardSecret", "apiKey", "tunnelToken", "privateKey"];

/**
 * Applies hook.config.json under flags and environment variables, in two phases. Single-valued
 * options go in before the subcommand parses (source "config"): commander lets the environment and
 * then flags override them, and they satisfy required options (so `provider` may live in the file).
 * Repeatable options (--secret, --header) go in after parsing, and only where neither a flag nor the
 * environment gave one: commander would otherwise append a flag's value to the file's instead of
 * replacing it. `commands` are the section names the file may have.
 */
export function applyConfig(
  cmd: Command,
  loaded: LoadedConfig,
  flags: Flags,
  phase: "before" | "after",
  commands: string[],
): void {
  if (!loaded) return;
  if (phase === "before") checkSections(loaded.path, Object.keys(loaded.config), commands);
  const section = loaded.config[cmd.name()] ?? {};
  for (const [key, value] of Object.entries(section)) {
    const option = cmd.options.find((o) => o.long === `--${key}` || o.attributeName() === key);
    if (!option || option.long === "--json") {
      throw new UsageError(
        `config: ${loaded.path}: unknown key "${key}" in section "${cmd.name()}"`,
        `keys are the long flag names of \`hook ${cmd.name()} --help\``,
      );
    }
    const name = option.attributeName();
    const kind = flags[name]?.kind ?? "value";
    const repeatable = kind === "list";
    if (repeatable !== (phase === "after")) continue;
    // "no-tunnel": true means tunnel = false; the attribute name itself ("tunnel") takes the value as is.
    const negated = option.negate && key === option.long?.slice(2);
    const source = cmd.getOptionValueSource(name);
    if (source !== undefined && source !== "default") continue;
    const where = `config: ${loaded.path}: "${key}" in section "${cmd.name()}"`;
    cmd.setOptionValueWithSource(name, configValue(kind, value, negated === true, where), "config");
  }
}

/** A config value in the shape its flag's values have; a switch takes only true or false. */
function configValue(kind: Flag["kind"], value: unknown, negated: boolean, where: string): unknown {
  if (kind === "list") return toList(value).map(String);
  const text = typeof value === "string" || typeof value === "number";
  if (kind === "switch" && typeof value === "boolean") return value !== negated;
  if (kind === "value" && text) return String(value);
  const wanted = kind === "switch" ? "true or false" : "a text or a number";
  throw new UsageError(`${where} must be ${wanted}, not ${JSON.stringify(value)}`);
}

function checkSections(path: string, sections: string[], commands: string[]): void {
  for (const section of sections) {
    if (section !== "$schema" && !commands.includes(section)) {
      throw new UsageError(
        `config: ${path}: unknown section "${section}"`,
        `sections are command names: ${commands.join(", ")}`,
      );
    }
  }
}

/** `env:NAME` references resolved, and every secret remembered so that no output shows it. */
export function resolveSecrets(cmd: Command, io: Io): void {
  for (const name of SECRET_OPTIONS) {
    const value: unknown = cmd.getOptionValue(name);
    if (typeof value !== "string" && !Array.isArray(value)) continue;
    const flag = `--${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
    const resolved = Array.isArray(value)
      ? value.map((v) => resolveSecretRef(String(v), io.env, flag))
      : resolveSecretRef(value, io.env, flag);
    // A key file's path is not a secret; every other value here is, wherever it shows up later.
    if (name !== "privateKey") for (const secret of [resolved].flat()) rememberSecret(secret);
    cmd.setOptionValueWithSource(name, resolved, cmd.getOptionValueSource(name));
  }
}
