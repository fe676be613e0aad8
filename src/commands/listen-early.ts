import { statSync } from "node:fs";
import { type ParseArgsConfig, parseArgs } from "node:util";
import { configPath } from "../config-path.js";
import type { Bind } from "./listen-bind.js";
import { LISTEN_FLAGS } from "./listen-flags.js";
import type { EarlyReceiver } from "./listen-serve.js";
import type { Flags } from "./options.js";
import { GLOBAL_FLAGS } from "./program-flags.js";

/** "-p, --port <port>" as its short name, long name and whether it takes a value. */
function spelling(flags: string): { short?: string; long: string; takesValue: boolean } {
  const [, short, long, operand] = /^(?:-(\w), )?--([\w-]+)( [<[])?/.exec(flags) ?? [];
  if (long === undefined) throw new Error(`flag "${flags}" is not spelled "-x, --name <value>"`);
  return { ...(short ? { short } : {}), long, takesValue: operand !== undefined };
}

/** node:util's parseArgs options for commander's flags, from the one definition of each. */
function parseArgsOptions(flags: Flags): NonNullable<ParseArgsConfig["options"]> {
  const options: NonNullable<ParseArgsConfig["options"]> = {};
  for (const flag of Object.values(flags)) {
    const { short, long, takesValue } = spelling(flag.flags);
    options[long] = {
      type: takesValue ? "string" : "boolean",
      multiple: flag.kind === "list",
      ...(short ? { short } : {}),
    };
  }
  return options;
}

// The words after `listen` as commander reads them: listen's flags, the program's, and its help and version.
const WORDS = {
  ...parseArgsOptions(LISTEN_FLAGS),
  ...parseArgsOptions(GLOBAL_FLAGS),
  help: { type: "boolean", short: "h" },
  version: { type: "boolean", short: "v" },
} satisfies ParseArgsConfig["options"];

// A config file's listen section names an option by its long name or its attribute (program-config.ts).
const BIND_KEYS = (["port", "host", "maxBody"] as const).flatMap((key) => [
  key,
  spelling(LISTEN_FLAGS[key].flags).long,
]);

/** False when hook.config.json is absent, or valid with a listen section that sets none of BIND_KEYS. */
async function configMaySetBind(cwd: string): Promise<boolean> {
  try {
    // Without a file (the usual case) the config reader is not even loaded.
    if (statSync(configPath(cwd), { throwIfNoEntry: false }) === undefined) return false;
    const { loadConfig } = await import("../config.js");
    const section = loadConfig(cwd)?.config.listen ?? {};
    return BIND_KEYS.some((key) => Object.hasOwn(section, key));
  } catch {
    return true; // commander reports it
  }
}

/**
 * --port, --host and --max-body when the words alone decide them: no help or version asked for, only
 * known flags, and no config file that sets them. Otherwise undefined: commander decides.
 */
async function bindFromWords(words: string[], cwd: string): Promise<Bind | undefined> {
  let values: Record<string, unknown>;
  try {
    ({ values } = parseArgs({ args: words, options: WORDS, strict: true, allowPositionals: false }));
  } catch {
    return undefined;
  }
  if (values.help || values.version || values.config !== undefined) return undefined;
  if (await configMaySetBind(cwd)) return undefined;
  const text = (key: string, flag: { defaultValue?: string }) => {
    const given = values[key];
    return typeof given === "string" ? given : flag.defaultValue;
  };
  const port = text("port", LISTEN_FLAGS.port);
  const host = text("host", LISTEN_FLAGS.host);
  const maxBody = text("max-body", LISTEN_FLAGS.maxBody);
  return port === undefined || host === undefined || maxBody === undefined
    ? undefined
    : { port, host, maxBody };
}

let early: { bind: Bind; receiver: EarlyReceiver } | undefined;

/**
 * `hook listen ...words` binds its port here, before commander and the command list load, when the
 * words alone decide where (bin/hook.js). listen claims it once commander has parsed the same words.
 */
export async function bindBeforeParsing(words: string[], cwd: string): Promise<void> {
  const bind = await bindFromWords(words, cwd);
  if (bind === undefined) return;
  // Loaded only to bind: `hook listen --help` reads the words and stops there.
  const { bindEarly } = await import("./listen-bind.js");
  try {
    early = { bind, receiver: bindEarly(bind, () => new Date()) };
  } catch {
    // A bad --port or --max-body: listen itself reports it, after commander has read every flag.
  }
}

/**
 * The port bound before parsing, when commander read the same --port, --host and --max-body from the
 * words; otherwise it is closed (and listen binds its own).
 */
export async function claimEarlyReceiver(options: Bind): Promise<EarlyReceiver | undefined> {
  const taken = early;
  early = undefined;
  if (taken === undefined) return undefined;
  const { port, host, maxBody } = taken.bind;
  if (port === options.port && host === options.host && maxBody === options.maxBody) return taken.receiver;
  await taken.receiver.abandon();
  return undefined;
}

/** The run ended without listen claiming the port (a usage error): it is closed, so the process can exit. */
export async function abandonUnclaimed(): Promise<void> {
  const taken = early;
  early = undefined;
  await taken?.receiver.abandon();
}
