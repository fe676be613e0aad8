import { createRequire } from "node:module";
import type * as CommanderModule from "commander";
import type { Command } from "commander";
import { loadConfig } from "../config.js";
import { Exit, UsageError } from "../errors.js";
import type { Io } from "../ui/io.js";
import type { Listed } from "./command.js";
import { type Flags, type GlobalOptions, readOptions } from "./options.js";
import { applyConfig, type LoadedConfig, resolveSecrets } from "./program-config.js";
import { GLOBAL_FLAGS } from "./program-flags.js";
import { HELP_WIDTH } from "./program-help.js";

// commander through require(): its ESM wrapper costs start-up time for nothing (bench/startup.bench.mjs).
const {
  Command: CommandClass,
  CommanderError,
  Help,
  Option,
} = createRequire(import.meta.url)("commander") as typeof CommanderModule;

const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

/** Adds flags to a command as commander options; a key that is not the flag's attribute name is a bug. */
function addFlags(command: Command, flags: Flags): void {
  for (const [key, flag] of Object.entries(flags)) {
    const option = new Option(flag.flags, flag.description);
    if (flag.defaultValue !== undefined) option.default(flag.defaultValue);
    if (flag.env) option.env(flag.env);
    if (flag.kind === "list") option.argParser(collect);
    if (flag.mandatory) option.makeOptionMandatory();
    if (option.attributeName() !== key) throw new Error(`flag ${flag.flags} is declared as "${key}"`);
    command.addOption(option);
  }
}

/** What a run is: the program, the flags of each command already defined on it, the config file. */
interface Session {
  program: Command;
  listed: Map<string, Listed>;
  defined: Map<string, Flags>;
  loaded: LoadedConfig;
  exitCode: number;
}

async function define(session: Session, name: string): Promise<Flags> {
  const known = session.defined.get(name);
  if (known) return known;
  const entry = session.listed.get(name);
  const command = session.program.commands.find((c) => c.name() === name);
  if (!entry || !command) return {};
  const flags = await entry.flags();
  addFlags(command, flags);
  session.defined.set(name, flags);
  return flags;
}

/** Every command with its flags: what `hook completion` describes. */
async function defineAll(session: Session): Promise<void> {
  for (const name of session.listed.keys()) await define(session, name);
}

function programFor(io: Io, version: string, commands: Listed[]): Command {
  const listed = new Map(commands.map((c) => [c.name, c]));
  const program = new CommandClass("hook")
    .description("Receive, verify, save, forward, replay, check and poll webhooks.")
    .version(version, "-v, --version")
    .showHelpAfterError(false)
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      outputError: () => {},
      // Help wraps at io's terminal width, not the process's (commander's default): the build renders
      // the prebuilt screens (program-help.ts) at a width it chooses, whatever terminal it runs in.
      getOutHelpWidth: () => widthOf(io.stdout),
      getErrHelpWidth: () => widthOf(io.stderr),
    })
    // `hook --help` lists the commands before their flags are defined: "[options]" comes from the list.
    .configureHelp({
      subcommandTerm: (cmd) => {
        const entry = listed.get(cmd.name());
        if (!entry) return Help.prototype.subcommandTerm.call(new Help(), cmd);
        return [entry.name, entry.hasFlags ? "[options]" : "", ...entry.args.map(([syntax]) => syntax)]
          .filter(Boolean)
          .join(" ");
      },
    });
  addFlags(program, GLOBAL_FLAGS);
  for (const entry of commands) {
    const command = program.command(entry.name).description(entry.description);
    for (const [syntax, description] of entry.args) command.argument(syntax, description);
  }
  return program;
}

/** A terminal's width; HELP_WIDTH (commander's own default) for a pipe, a file or a terminal without one. */
function widthOf(stream: { isTTY?: boolean; columns?: number }): number {
  return (stream.isTTY && stream.columns) || HELP_WIDTH;
}

/** `hook help listen` shows listen's help at once, without the hook below: its flags go in first. */
function helpTarget(argv: string[], listed: Map<string, Listed>): string | undefined {
  const at = argv.indexOf("help", 2);
  const name = at === -1 ? undefined : argv[at + 1];
  return name !== undefined && listed.has(name) ? name : undefined;
}

const QUIET_EXITS = ["commander.helpDisplayed", "commander.version", "commander.help"];

/**
 * Parses argv and runs one command; returns its exit code. Usage errors are thrown as UsageError;
 * `state.debug` follows --debug once the options are known.
 */
export async function runProgram(
  argv: string[],
  io: Io,
  version: string,
  commands: Listed[],
  state: { debug: boolean },
): Promise<number> {
  const program = programFor(io, version, commands);
  const listed = new Map(commands.map((c) => [c.name, c]));
  const session: Session = { program, listed, defined: new Map(), loaded: undefined, exitCode: Exit.ok };
  beforeSubcommand(session, io);
  for (const entry of commands) runsAs(session, entry, io, state);
  const help = helpTarget(argv, session.listed);
  if (help) await define(session, help);
  try {
    if (argv.length <= 2) {
      program.outputHelp();
      return Exit.ok;
    }
    await program.parseAsync(argv);
    return session.exitCode;
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    if (QUIET_EXITS.includes(error.code)) return Exit.ok;
    throw new UsageError(
      error.message.replace(/^error: /, "").trim(),
      "see `hook --help` or `hook COMMAND --help`",
    );
  }
}

/** The subcommand's flags, then the config file: read once, when --config is known, before it parses. */
function beforeSubcommand(session: Session, io: Io): void {
  const { program } = session;
  program.hook("preSubcommand", async (_program, subcommand) => {
    const entry = session.listed.get(subcommand.name());
    if (entry?.wholeProgram) await defineAll(session);
    const flags = await define(session, subcommand.name());
    session.loaded = loadConfig(io.cwd, readOptions(GLOBAL_FLAGS, program.opts(), globals([])).config);
    applyConfig(subcommand, session.loaded, flags, "before", names(program));
  });
}

/** A command's action: the rest of the config, secrets resolved, options typed, the runner's exit code. */
function runsAs(session: Session, entry: Listed, io: Io, state: { debug: boolean }): void {
  const { program } = session;
  const cmd = program.commands.find((c) => c.name() === entry.name);
  cmd?.action(async () => {
    // Operands in order; an optional one not given is left out.
    const args = cmd.processedArgs.flat().filter((arg): arg is string => typeof arg === "string");
    applyConfig(cmd, session.loaded, session.defined.get(entry.name) ?? {}, "after", names(program));
    resolveSecrets(cmd, io);
    const configured = cmd.options
      .map((o) => o.attributeName())
      .filter((name) => cmd.getOptionValueSource(name) === "config");
    const global = readOptions(GLOBAL_FLAGS, program.opts(), globals(configured));
    state.debug = global.debug === true;
    session.exitCode = (await entry.run(args, cmd.opts(), global, io, program)) ?? Exit.ok;
  });
}

const names = (program: Command): string[] => program.commands.map((c) => c.name());

function globals(configured: string[]): GlobalOptions {
  return { color: true, configured };
}
