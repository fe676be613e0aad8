import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type * as CommanderModule from "commander";
import type { Command, Option as CommanderOption } from "commander";
import type { CommandOptions } from "./commands/options.js";
import { loadConfig, resolveSecretRef } from "./config.js";
import { Exit, HookError, UsageError } from "./errors.js";
import { redactText, rememberSecret } from "./redact.js";
import { escapeControl } from "./ui/escape.js";
import { type Io, processIo } from "./ui/io.js";

// commander through require(): its ESM wrapper costs start-up time for nothing (bench/startup.bench.mjs).
const {
  Command: CommandClass,
  CommanderError,
  Option,
} = createRequire(import.meta.url)("commander") as typeof CommanderModule;

/** Options whose values may be `env:NAME` references and must never be printed. */
const SECRET_OPTIONS = ["secret", "apiKey", "tunnelToken", "privateKey"];

const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
    version: string;
  };
  return pkg.version;
}

type Runner = (args: string[], options: CommandOptions, io: Io) => Promise<number | undefined>;

function secretOption(): CommanderOption {
  return new Option("--secret <secret>", "signing secret; repeat for rotation; env:NAME reads a variable")
    .env("HOOK_SECRET")
    .argParser(collect);
}

function providerShapeOptions(command: Command): Command {
  return command
    .option("--signature-header <name>", "hmac: the header that carries the signature")
    .option("--algorithm <alg>", "hmac: sha1, sha256 or sha512")
    .option("--encoding <enc>", "hmac: hex or base64")
    .option("--prefix <text>", "hmac: text before the signature, e.g. sha256=")
    .option("--webhook-id <id>", "paypal: the webhook id that is part of the signed message")
    .option("--cert <file>", "paypal: PEM certificate to verify with")
    .option("--private-key <file>", "paypal: PEM private key to sign with");
}

/** `hook listen --register` and the flags it reads (design/register.md). */
function registerOptions(command: Command): Command {
  return command
    .option("--register", "register the public URL with the provider's API; removed again on exit")
    .option(
      "--api-key <key>",
      "--register/--reconcile/--confirm: the provider's API key (default: its variable, e.g. STRIPE_API_KEY)",
    )
    .option("--api-base <url>", "--register/--reconcile/--confirm: API origin (for sandboxes and stand-ins)")
    .option("--path <path>", "--register: appended to the registered URL")
    .option("--public-url <url>", "--register: register this URL instead of the tunnel's")
    .option("--replace", "--register: take over a Telegram bot's webhook (set back on exit)")
    .option("--keep", "--register: leave the registration in place on exit")
    .option("--live", "--register: allow a Stripe live key, or PayPal's live API")
    .option("--repo <owner/name>", "--register/--reconcile github: the repository")
    .option("--org <org>", "--register/--reconcile github: the organisation")
    .option("--type <type>", "--register twitch: the EventSub subscription type")
    .option("--condition <json>", "--register twitch: the subscription's condition")
    .option("--type-version <version>", "--register twitch: the subscription type's version (default 1)")
    .option("--hub <url>", "--register websub: the hub (default: Google's, for YouTube)")
    .option("--topic <url>", "--register websub: the feed to subscribe to")
    .option("--lease <duration>", "--register websub: how long the subscription lasts (default 10d)");
}

/** listen --reconcile / --confirm: the provider's events API beside the webhooks (docs/reconcile.md). */
function reconcileOptions(command: Command): Command {
  return command
    .option("--reconcile", "also read the provider's events API and deliver the events no webhook brought")
    .option("--every <duration>", "--reconcile: time between looks at the API (default 5m)")
    .option("--since <duration|all>", "--reconcile, first run: catch up this far back (default: from now)")
    .option("--forward-duplicates", "--reconcile: still forward a webhook whose event the app already has")
    .option("--confirm", "stripe: forward a webhook only when the API knows its event (else 401)");
}

export function buildProgram(
  io: Io,
  runCommand: (name: string, run: Runner, args: string[], cmd: Command) => Promise<void>,
): Command {
  const program = new CommandClass("hook")
    .description("Receive, verify, save, forward, replay, check and poll webhooks.")
    .version(version(), "-v, --version")
    .option("--config <file>", "config file (default: ./hook.config.json)")
    .option("--no-color", "no colour in human output")
    .option("--debug", "print stack traces on errors")
    .showHelpAfterError(false)
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      outputError: () => {},
    });

  const lazy =
    (name: string, load: () => Promise<Runner>) =>
    async (...params: unknown[]) => {
      const cmd = params.at(-1) as Command;
      const args = params.slice(0, -2).flat() as string[];
      await runCommand(name, await load(), args, cmd);
    };

  const listen = program
    .command("listen")
    .description(
      "receive webhooks locally (and through a public tunnel), verify, show, save and forward them",
    )
    .option("-p, --port <port>", "port to listen on", "4665")
    .option("--host <host>", "address to bind", "127.0.0.1")
    .option("-f, --forward-to <url>", "forward each accepted request to this URL")
    .option("--provider <name>", "verify signatures for this provider (see `hook providers`)")
    .addOption(secretOption())
    .option("--tolerance <duration>", "timestamp window, overriding the provider's")
    .option("--events <patterns>", "only forward these event types, e.g. payment_intent.*,charge.refunded")
    .option("--save <dir>", "save every request as a fixture file in DIR")
    .option("--durable", "persist to .hook/ before answering 202, deliver with retries")
    .option("--retry <schedule>", "retry schedule for --durable", "1s,5s,30s,2m,10m,1h")
    .option("--give-up-after <duration>", "--durable: move an entry still failing this long to dead/", "24h")
    .option("--timeout <duration>", "how long to wait for the target", "30s")
    .option("--max-body <size>", "largest body accepted", "10mb")
    .option("--no-tunnel", "do not open a public tunnel")
    .option("--tunnel-token <token>", "cloudflared named-tunnel token (stable hostname)")
    .option("--cloudflared <path>", "cloudflared binary to use")
    .option("--data-dir <dir>", "working data folder", ".hook")
    .option(
      "--inspect-port <port>",
      "port of the inspector page on 127.0.0.1 (default 4666; 0 picks a free one)",
    )
    .option("--no-inspect", "do not serve the inspector page")
    .option("--json", "one JSON object per line on stdout");
  providerShapeOptions(reconcileOptions(registerOptions(listen))).action(
    lazy("listen", async () => (await import("./commands/listen.js")).listenCommand),
  );

  const outbox = program
    .command("outbox")
    .description(
      "steer the --durable outbox: list what is pending, retry the head now, drop an entry to dead/",
    )
    .argument("<action>", "list | retry | drop")
    .argument("[entry]", "drop: the sequence number or event id")
    .option("--data-dir <dir>", "working data folder", ".hook")
    .option("-f, --forward-to <url>", "retry beside no running listener: deliver the head here")
    .option("--provider <name>", "retry beside no running listener: re-sign for this provider")
    .addOption(secretOption())
    .option(
      "--timeout <duration>",
      "retry beside no running listener: how long to wait for the target",
      "30s",
    )
    .option("--give-up-after <duration>", "retry beside no running listener: as listen's", "24h")
    .option("--json", "one JSON object per line on stdout");
  providerShapeOptions(outbox).action(
    lazy("outbox", async () => (await import("./commands/outbox.js")).outboxCommand),
  );

  const replayOptions = (command: Command): Command =>
    command
      .requiredOption("-t, --to <url>", "send to this URL (the fixture's path is appended)")
      .option("--provider <name>", "sign for this provider (default: the fixture's own)")
      .addOption(secretOption())
      .option("--concurrency <n>", "requests in flight at once", "1")
      .option("--expect <statuses>", "expected status: 200, 2xx or a list 200,202", "2xx")
      .option("--repeat <n>", "send each fixture N times (true duplicates)", "1")
      .option("--set <path=value>", "edit the JSON payload before signing; repeatable", collect)
      .option("--header <header>", "extra header 'K: V'; repeatable", collect)
      .option("--timeout <duration>", "per-request timeout", "30s")
      .option("--report <file>", "write a report: FILE.xml (JUnit) or FILE.json")
      .option("--json", "one JSON object per line on stdout");

  const replay = program
    .command("replay")
    .description("re-send saved fixtures with fresh, valid signatures and check the answers")
    .argument("<path...>", "fixture files or folders");
  providerShapeOptions(replayOptions(replay)).action(
    lazy("replay", async () => (await import("./commands/replay.js")).replayCommand),
  );

  const trigger = program
    .command("trigger")
    .description("send a built-in sample event, freshly signed")
    .argument("<provider>", "provider name")
    .argument("<event>", "event name (see `hook fixtures PROVIDER`)")
    .option("--id <id>", "send this event id (default: a fresh one on every run)");
  providerShapeOptions(replayOptions(trigger)).action(
    lazy("trigger", async () => (await import("./commands/trigger.js")).triggerCommand),
  );

  program
    .command("fixtures")
    .description("list the built-in sample events")
    .argument("[provider]", "only this provider's")
    .option("--json", "one JSON object per line on stdout")
    .action(lazy("fixtures", async () => (await import("./commands/fixtures.js")).fixturesCommand));

  const check = program
    .command("check")
    .description("run the webhook integration checklist against a live endpoint")
    .requiredOption("-t, --to <url>", "the endpoint to check")
    .option("--provider <name>", "provider whose signatures the endpoint verifies")
    .addOption(secretOption())
    .option("--fixture <file>", "event to send (default: the provider's built-in sample)")
    .option("--budget <duration>", "time allowed per answer (default: the provider's timeout)")
    .option("--report <file>", "write a report: FILE.xml (JUnit) or FILE.json")
    .option("--json", "one JSON object per scenario on stdout");
  providerShapeOptions(check).action(
    lazy("check", async () => (await import("./commands/check.js")).checkCommand),
  );

  program
    .command("poll")
    .description(
      "fetch new events from a provider's API and deliver each one as the webhook it would have been",
    )
    .option("--provider <name>", "stripe, github, liqpay or http")
    .option("--api-key <key>", "API key (default: STRIPE_API_KEY, GITHUB_TOKEN, LIQPAY_PRIVATE_KEY)")
    .option("--api-base <url>", "API address (for proxies and tests)")
    .option("-f, --forward-to <url>", "deliver each event to this URL")
    .addOption(secretOption())
    .option("--interval <duration>", "time between polls", "30s")
    .option("--once", "one pass, then exit (for cron)")
    .option("--since <duration|all>", "first run: backfill this far back (default: from now)")
    .option("--types <patterns>", "only these event types")
    .option("--state <file>", "state file (default: <data-dir>/poll/<provider>-<source>.json)")
    .option("--data-dir <dir>", "working data folder", ".hook")
    .option("--timeout <duration>", "per-request timeout", "30s")
    .option("--repo <owner/name>", "github: a repository's events")
    .option("--org <org>", "github: an organisation's events")
    .option("--user <user>", "github: a user's events")
    .option("--public-key <key>", "liqpay: public key")
    .option("--order <id>", "liqpay: order id to follow; repeatable", collect)
    .option("--url <url>", "http: the API URL that lists events")
    .option("--items <path>", "http: where the list is in the answer, e.g. data.items")
    .option("--id <path>", "http: each item's id field")
    .option("--time <path>", "http: each item's time field (for ordering and --since)")
    .option("--cursor-param <name>", "http: query parameter that takes the last id seen")
    .option("--header <header>", "http: extra header 'K: V'; repeatable", collect)
    .option("--json", "one JSON object per line on stdout")
    .action(lazy("poll", async () => (await import("./commands/poll.js")).pollCommand));

  const sign = program
    .command("sign")
    .description("print the headers a provider would send with a body")
    .requiredOption("--provider <name>", "provider name")
    .addOption(secretOption())
    .option("--body-file <file>", "the body (default: stdin)")
    .option("--url <url>", "the full URL the request goes to (Twilio signs it)")
    .option("--timestamp <unix-seconds>", "sign as of this time (default: now)")
    .option("--curl <url>", "print a ready curl command for this URL")
    .option("--header <header>", "a header 'K: V' to send too (over the provider's own); repeatable", collect)
    .option("--json", 'print {"headers":{...}}');
  providerShapeOptions(sign).action(
    lazy("sign", async () => (await import("./commands/sign.js")).signCommand),
  );

  const verify = program
    .command("verify")
    .description("check a body and its headers; exit 0 if valid, 1 with the reason if not")
    .requiredOption("--provider <name>", "provider name")
    .addOption(secretOption())
    .option("--body-file <file>", "the body (default: stdin)")
    .option("--header <header>", "a received header 'K: V'; repeatable", collect)
    .option("--url <url>", "the full URL the request was sent to (Twilio)")
    .option("--tolerance <duration>", "timestamp window, overriding the provider's")
    .option("--json", "print the verdict as JSON");
  providerShapeOptions(verify).action(
    lazy("verify", async () => (await import("./commands/verify.js")).verifyCommand),
  );

  program
    .command("unregister")
    .description("remove what `hook listen --register` left at the providers (killed runs, --keep)")
    .option("--provider <name>", "only this provider's registrations")
    .option("--data-dir <dir>", "working data folder", ".hook")
    .option("--api-key <key>", "the provider's API key (default: its variable, e.g. STRIPE_API_KEY)")
    .option("--api-base <url>", "API origin (default: the one the registration used)")
    .option("--json", "one JSON object per line on stdout")
    .action(lazy("unregister", async () => (await import("./commands/unregister.js")).unregisterCommand));

  program
    .command("providers")
    .description("list the providers, what each checks and the headers it uses")
    .option("--json", "one JSON object per line on stdout")
    .action(lazy("providers", async () => (await import("./commands/providers.js")).providersCommand));

  program
    .command("completion")
    .description("print a shell completion script (commands, flags, providers, sample events)")
    .argument("<shell>", "bash, zsh or fish")
    .action(
      lazy("completion", async () => {
        const { completionCommand } = await import("./commands/completion.js");
        // Completion describes this very program, so it gets the program, not only the options.
        return (args, _options, io) => completionCommand(args, program, io);
      }),
    );

  return program;
}

/**
 * Applies hook.config.json under flags and environment variables, in two phases. Single-valued
 * options go in before the subcommand parses (source "config"): commander lets the environment and
 * then flags override them, and they satisfy required options (so `provider` may live in the file).
 * Repeatable options (--secret, --header) go in after parsing, and only where neither a flag nor the
 * environment gave one: commander would otherwise append a flag's value to the file's instead of
 * replacing it.
 */
function applyConfig(program: Command, cmd: Command, loaded: LoadedConfig, phase: "before" | "after"): void {
  if (!loaded) return;
  if (phase === "before") checkSections(program, loaded.path, Object.keys(loaded.config));
  const section = loaded.config[cmd.name()] ?? {};
  for (const [key, value] of Object.entries(section)) {
    const option = cmd.options.find((o) => o.long === `--${key}` || o.attributeName() === key);
    if (!option || option.long === "--json") {
      throw new UsageError(
        `config: ${loaded.path}: unknown key "${key}" in section "${cmd.name()}"`,
        `keys are the long flag names of \`hook ${cmd.name()} --help\``,
      );
    }
    const repeatable = option.parseArg === (collect as unknown);
    if (repeatable !== (phase === "after")) continue;
    // "no-tunnel": true means tunnel = false; the attribute name itself ("tunnel") takes the value as is.
    const negated = option.negate && key === option.long?.slice(2);
    const name = option.attributeName();
    const source = cmd.getOptionValueSource(name);
    if (source !== undefined && source !== "default") continue;
    const normalised = repeatable
      ? (Array.isArray(value) ? value : [value]).map(String)
      : typeof value === "boolean"
        ? value !== negated
        : String(value);
    cmd.setOptionValueWithSource(name, normalised, "config");
  }
}

type LoadedConfig = ReturnType<typeof loadConfig>;

function checkSections(program: Command, path: string, sections: string[]): void {
  const known = new Set(program.commands.map((c) => c.name()));
  for (const section of sections) {
    if (section !== "$schema" && !known.has(section)) {
      throw new UsageError(
        `config: ${path}: unknown section "${section}"`,
        `sections are command names: ${[...known].join(", ")}`,
      );
    }
  }
}

function resolveSecrets(cmd: Command, io: Io): void {
  for (const name of SECRET_OPTIONS) {
    const value = cmd.getOptionValue(name) as string | string[] | undefined;
    if (value === undefined) continue;
    const flag = `--${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
    const resolved = Array.isArray(value)
      ? value.map((v) => resolveSecretRef(v, io.env, flag))
      : resolveSecretRef(value, io.env, flag);
    // A key file's path is not a secret; every other value here is, wherever it shows up later.
    if (name !== "privateKey") for (const secret of [resolved].flat()) rememberSecret(secret);
    cmd.setOptionValueWithSource(name, resolved, cmd.getOptionValueSource(name));
  }
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
  if (error instanceof CommanderError) {
    const text = error.message.replace(/^error: /, "").trim();
    say(`hook: ${text}`);
    say("hint: see `hook --help` or `hook COMMAND --help`");
    return Exit.usage;
  }
  const message = error instanceof Error ? error.message : String(error);
  say(`hook: unexpected error: ${message}`);
  if (debug && error instanceof Error && error.stack) io.stderr.write(`${error.stack}\n`);
  else io.stderr.write("hint: run again with --debug for the stack trace, and report it\n");
  return Exit.failed;
}

/** Parses argv, runs one command, returns its exit code. Never calls process.exit. */
export async function main(argv: string[], io: Io): Promise<number> {
  let exitCode: number = Exit.ok;
  let debug = argv.includes("--debug");
  let loaded: LoadedConfig;
  const program = buildProgram(io, async (_name, run, args, cmd) => {
    applyConfig(program, cmd, loaded, "after");
    resolveSecrets(cmd, io);
    const configured = cmd.options
      .map((o) => o.attributeName())
      .filter((name) => cmd.getOptionValueSource(name) === "config");
    const options: CommandOptions = { ...program.opts(), ...cmd.opts(), configured };
    debug = options.debug === true;
    exitCode = (await run(args, options, io)) ?? Exit.ok;
  });
  // Read once, when the program's own options (--config) are known, before the subcommand parses.
  program.hook("preSubcommand", (_program, subcommand) => {
    loaded = loadConfig(io.cwd, program.opts().config as string | undefined);
    applyConfig(program, subcommand, loaded, "before");
  });
  try {
    if (argv.length <= 2) {
      program.outputHelp();
      return Exit.ok;
    }
    await program.parseAsync(argv);
    return exitCode;
  } catch (error) {
    if (
      error instanceof CommanderError &&
      (error.code === "commander.helpDisplayed" ||
        error.code === "commander.version" ||
        error.code === "commander.help")
    ) {
      return Exit.ok;
    }
    return printError(io, error, debug);
  }
}

/** The process entry: main, then the exit code. */
export function run(argv: string[]): void {
  const io = processIo();
  // `hook … --json | head -1`: the reader went away; that is the end of the output, not a crash.
  process.stdout.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE") process.exit(process.exitCode ?? Exit.ok);
    throw error;
  });
  main(argv, io).then(
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
