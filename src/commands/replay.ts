import { Exit } from "../errors.js";
import { parseSet } from "../replay/edit.js";
import { parseExpect } from "../replay/expect.js";
import { prepareJobs } from "../replay/prepare.js";
import { reportFormat, type Suite, writeReport } from "../replay/report.js";
import { type ReplayResult, type ReplaySummary, runReplay } from "../replay/run.js";
import { createSender } from "../replay/send.js";
import { type LoadedFixture, loadFixtures } from "../store/fixture-reader.js";
import type { Io } from "../ui/io.js";
import { Output } from "../ui/output.js";
import {
  parseHeaderFlags,
  providerFrom,
  providerOptionsFrom,
  requireSecrets,
  secretsFrom,
} from "./common.js";
import { toList } from "./options.js";
import type { ReplayOptions, TriggerOptions } from "./replay-flags.js";
import { ReplayRenderer } from "./replay-output.js";
import { intOption, positiveDurationOption, urlOption } from "./values.js";

/** What replay and trigger both read. */
type SendOptions = ReplayOptions | TriggerOptions;

/** hook replay PATH... --to URL */
export async function replayCommand(args: string[], options: ReplayOptions, io: Io): Promise<number> {
  const settings = replaySettings(options);
  const fixtures = loadFixtures(args, io.cwd);
  return sendFixtures(fixtures, options, io, settings, "hook replay");
}

type ReplaySettings = ReturnType<typeof replaySettings>;

/** Every flag checked before any file is read or request sent: a typo is exit 2 with nothing sent. */
export function replaySettings(options: SendOptions) {
  const { report } = options;
  if (report) reportFormat(report);
  return {
    to: urlOption(options.to, "--to"),
    concurrency: intOption(options.concurrency, "--concurrency", 1),
    repeat: intOption(options.repeat, "--repeat", 1),
    timeoutMs: positiveDurationOption(options.timeout, "--timeout", "30s"),
    expect: parseExpect(options.expect),
    edits: toList(options.set).map(parseSet),
    extraHeaders: parseHeaderFlags(options.header),
    report,
  };
}

/** The shared body of replay and trigger: prepare, send, show, report, exit code. */
export async function sendFixtures(
  fixtures: LoadedFixture[],
  options: SendOptions,
  io: Io,
  settings: ReplaySettings,
  suiteName: string,
): Promise<number> {
  const out = new Output(io, options);
  const override = options.provider ? providerFrom(options) : undefined;
  const secrets = secretsFrom(options);
  const prepared = prepareJobs({
    fixtures,
    override,
    providerOptions: providerOptionsFrom(options),
    secrets,
    edits: settings.edits,
    now: io.now(),
  });
  for (const provider of prepared.signers) requireSecrets(options, provider);
  for (const warning of prepared.warnings) out.warn(warning);

  const total = prepared.jobs.length * settings.repeat;
  const budgets = new Map(prepared.signers.map((p) => [p.name, p.timeoutMs]));
  const renderer = new ReplayRenderer(out, io, total, settings.repeat, budgets);
  const sender = createSender(settings.concurrency, io.env, settings.timeoutMs);
  let interrupted = false;
  const stop = io.interrupted.then(() => {
    interrupted = true;
  });
  const startedAt = io.now();
  try {
    const { results, summary } = await runReplay(
      { ...settings, jobs: prepared.jobs },
      {
        sender,
        now: io.now,
        clock: () => performance.now(),
        onResult: (result, done, all) => renderer.result(result, done, all),
        stop,
      },
    );
    const report = tryReport(settings.report, io.cwd, () => ({
      suite: suiteOf(suiteName, startedAt, results, summary),
      json: {
        command: suiteName,
        summary,
        // The answer's start is in answerStart, as text; its bytes would print as a list of numbers.
        results: results.map(({ responseBody: _bytes, ...rest }) => rest),
      },
    }));
    renderer.summary(summary, interrupted, report.path);
    // A report that could not be written is an error, shown after the summary a person still wants.
    if (report.error) throw report.error;
    if (interrupted) return Exit.interrupted;
    return summary.passed === summary.total ? Exit.ok : Exit.failed;
  } finally {
    await sender.close();
  }
}

/** Both shapes of the report are built only when one is asked for: 10,000 test cases are not free. */
function tryReport(file: string | undefined, cwd: string, build: () => { suite: Suite; json: unknown }) {
  if (!file) return { path: undefined, error: undefined };
  try {
    const { suite, json } = build();
    return { path: writeReport(file, cwd, suite, json), error: undefined };
  } catch (error) {
    return { path: undefined, error };
  }
}

function suiteOf(name: string, timestamp: Date, results: ReplayResult[], summary: ReplaySummary): Suite {
  return {
    name,
    timestamp,
    seconds: summary.durationMs / 1000,
    cases: results.map((r) => ({
      name: `${r.index} ${r.method} ${[r.event ?? "(no event)", r.eventId].filter(Boolean).join(" ")}${r.attempt > 1 ? ` #${r.attempt}` : ""} (${r.file})`,
      classname: `hook.${r.provider}`,
      seconds: r.latencyMs / 1000,
      outcome: r.pass ? "passed" : r.status === undefined ? "error" : "failure",
      message: r.pass ? undefined : (r.error ?? `expected ${r.expected}, got ${r.status}`),
      detail: r.pass
        ? undefined
        : `${r.method} ${r.url}\n${r.error ?? `status ${r.status}\n${r.answerStart ?? ""}`}`,
    })),
  };
}
