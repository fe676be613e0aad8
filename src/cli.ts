import { readFileSync } from "node:fs";
import { command, type Listed, NO_FLAGS } from "./commands/command.js";
import { runProgram } from "./commands/program.js";
import { Exit, errorMessage, HookError } from "./errors.js";
import { redactText } from "./redact.js";
import { escapeControl } from "./ui/escape.js";
import { type Io, processIo } from "./ui/io.js";

/**
 * The commands, in `hook --help` order. Each one's flags and implementation are loaded only when it
 * runs (its flags also for its own --help): `hook --help` loads neither (test/startup.test.ts).
 */
const COMMANDS: Listed[] = [
  command({
    name: "listen",
    description:
      "receive webhooks locally (and through a public tunnel), verify, show, save and forward them",
    flags: async () => (await import("./commands/listen-flags.js")).LISTEN_FLAGS,
    run: async () => (await import("./commands/listen.js")).listenCommand,
  }),
  command({
    name: "outbox",
    description:
      "steer the --durable outbox: list what is pending, retry the head now, drop an entry to dead/",
    args: [
      ["<action>", "list | retry | drop"],
      ["[entry]", "drop: the sequence number or event id"],
    ],
    flags: async () => (await import("./commands/outbox-flags.js")).OUTBOX_FLAGS,
    run: async () => (await import("./commands/outbox.js")).outboxCommand,
  }),
  command({
    name: "replay",
    description: "re-send saved fixtures with fresh, valid signatures and check the answers",
    args: [["<path...>", "fixture files or folders"]],
    flags: async () => (await import("./commands/replay-flags.js")).REPLAY_FLAGS,
    run: async () => (await import("./commands/replay.js")).replayCommand,
  }),
  command({
    name: "trigger",
    description: "send a built-in sample event, freshly signed",
    args: [
      ["<provider>", "provider name"],
      ["<event>", "event name (see `hook fixtures PROVIDER`)"],
    ],
    flags: async () => (await import("./commands/replay-flags.js")).TRIGGER_FLAGS,
    run: async () => (await import("./commands/trigger.js")).triggerCommand,
  }),
  command({
    name: "fixtures",
    description: "list the built-in sample events",
    args: [["[provider]", "only this provider's"]],
    flags: async () => (await import("./commands/options.js")).JSON_LINES,
    run: async () => (await import("./commands/fixtures.js")).fixturesCommand,
  }),
  command({
    name: "check",
    description: "run the webhook integration checklist against a live endpoint",
    flags: async () => (await import("./commands/check-flags.js")).CHECK_FLAGS,
    run: async () => (await import("./commands/check.js")).checkCommand,
  }),
  command({
    name: "poll",
    description:
      "fetch new events from a provider's API and deliver each one as the webhook it would have been",
    flags: async () => (await import("./commands/poll-flags.js")).POLL_FLAGS,
    run: async () => (await import("./commands/poll.js")).pollCommand,
  }),
  command({
    name: "sign",
    description: "print the headers a provider would send with a body",
    flags: async () => (await import("./commands/sign-flags.js")).SIGN_FLAGS,
    run: async () => (await import("./commands/sign.js")).signCommand,
  }),
  command({
    name: "verify",
    description: "check a body and its headers; exit 0 if valid, 1 with the reason if not",
    flags: async () => (await import("./commands/sign-flags.js")).VERIFY_FLAGS,
    run: async () => (await import("./commands/verify.js")).verifyCommand,
  }),
  command({
    name: "unregister",
    description: "remove what `hook listen --register` left at the providers (killed runs, --keep)",
    flags: async () => (await import("./commands/unregister-flags.js")).UNREGISTER_FLAGS,
    run: async () => (await import("./commands/unregister.js")).unregisterCommand,
  }),
  command({
    name: "providers",
    description: "list the providers, what each checks and the headers it uses",
    flags: async () => (await import("./commands/options.js")).JSON_LINES,
    run: async () => (await import("./commands/providers.js")).providersCommand,
  }),
  command({
    name: "completion",
    description: "print a shell completion script (commands, flags, providers, sample events)",
    args: [["<shell>", "bash, zsh or fish"]],
    flags: NO_FLAGS,
    // Completion describes this very program, every command's flags included.
    wholeProgram: true,
    run: async () => (await import("./commands/completion.js")).completionCommand,
  }),
];

/** The command names, in `hook --help` order: each has a help screen of its own (program-render.ts). */
export function commandNames(): string[] {
  return COMMANDS.map((entry) => entry.name);
}

function version(): string {
  const pkg: { version: string } = JSON.parse(
    readFileSync(new URL("../package.json", import.meta.url), "utf8"),
  );
  return pkg.version;
}

/**
 * The one way an error reaches the terminal. Its message may quote outside text (a fixture's
 * contents, an API's answer) and carry a secret, so it is redacted and every control character in
 * it escaped; only its line breaks (a list of bad fixtures) stay. It is never coloured.
 */
function printError(io: Io, error: unknown, debug: boolean): number {
  const say = (text: string) =>
    io.stderr.write(`${redactText(text).split("\n").map(escapeControl).join("\n")}\n`);
  if (error instanceof HookError) {
    say(`hook: ${error.message}`);
    if (error.hint) say(`hint: ${error.hint}`);
    if (debug && error.stack) io.stderr.write(`${error.stack}\n`);
    return error.exitCode;
  }
  const message = errorMessage(error);
  say(`hook: unexpected error: ${message}`);
  if (debug && error instanceof Error && error.stack) io.stderr.write(`${error.stack}\n`);
  else io.stderr.write("hint: run again with --debug for the stack trace, and report it\n");
  return Exit.failed;
}

/** Parses argv, runs one command, returns its exit code. Never calls process.exit. */
export async function main(argv: string[], io: Io): Promise<number> {
  const state = { debug: argv.includes("--debug") };
  try {
    return await runProgram(argv, io, version(), COMMANDS, state);
  } catch (error) {
    return printError(io, error, state.debug);
  }
}

/** The process entry: main, then the exit code. Resolves once the exit code is set. */
export function run(argv: string[]): Promise<void> {
  const io = processIo();
  // `hook … --json | head -1`: the reader went away; that is the end of the output, not a crash.
  process.stdout.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE") process.exit(process.exitCode ?? Exit.ok);
    throw error;
  });
  return main(argv, io).then(
    (code) => {
      process.exitCode = code;
      // Long-running commands resolve after a clean shutdown; a leftover handle must not keep us.
      if (code === Exit.interrupted) setTimeout(() => process.exit(code), 50).unref();
    },
    (error) => {
      process.exitCode = printError(io, error, argv.includes("--debug"));
    },
  );
}
