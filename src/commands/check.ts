import type { FirstFix } from "../check/diagnose.js";
import { GENERIC_EVENT, profileFor } from "../check/profiles.js";
import { runChecklist } from "../check/run.js";
import { type ScenarioResult, waitFor } from "../check/scenarios.js";
import { Exit, UsageError } from "../errors.js";
import type { Provider } from "../providers/types.js";
import { redactUrl } from "../redact.js";
import { withEventId } from "../replay/event-id.js";
import { reportFormat, type Suite, writeReport } from "../replay/report.js";
import { createSender } from "../replay/send.js";
import { builtinSamples, findBuiltin } from "../store/builtin-fixtures.js";
import { type LoadedFixture, loadFixtures } from "../store/fixture-reader.js";
import type { Io } from "../ui/io.js";
import { Output } from "../ui/output.js";
import { formatDuration } from "../units.js";
import type { CheckOptions } from "./check-flags.js";
import { providerFrom, requireSecrets } from "./common.js";
import { positiveDurationOption, urlOption } from "./values.js";

/** hook check --to URL --provider P --secret S: the integration checklist against a live endpoint. */
export async function checkCommand(_args: string[], options: CheckOptions, io: Io): Promise<number> {
  const out = new Output(io, options);
  const to = urlOption(options.to, "--to");
  const { report } = options;
  if (report) reportFormat(report);
  const provider = providerFrom(options);
  const secrets = provider.usesSecret === false ? [""] : requireSecrets(options, provider);
  const secret = secrets[0] ?? "";
  const hint = secret ? provider.checkSecret?.(secret) : undefined;
  if (hint) out.warn(`${provider.name}: ${hint}`);
  const budgetMs =
    options.budget === undefined
      ? provider.timeoutMs
      : positiveDurationOption(options.budget, "--budget", "5s");
  const profile = profileFor(provider.name);
  // A built-in sample gets a fresh event id, so an app that dedupes does not take this run's valid
  // event for an earlier run's; a --fixture is the user's own event, sent as it is.
  const base = baseFixture(options, io, provider, profile.sample);
  const fixture = options.fixture ? base : withEventId(base, provider.name);

  out.line(
    `checking ${redactUrl(to.href)} as ${provider.name} (budget ${formatDuration(budgetMs)}, event ${fixture.event ?? fixture.file})`,
  );
  const sender = createSender(10, io.env, waitFor(budgetMs));
  const started = io.now();
  const t0 = performance.now();
  try {
    const { results, firstFix } = await runChecklist(
      { provider, profile, fixture, secret, to, budgetMs, sender, now: io.now },
      (result) => showScenario(out, result),
    );
    const summary = summarise(results, budgetMs, firstFix);
    const path = report
      ? writeReport(report, io.cwd, suiteOf(provider, started, (performance.now() - t0) / 1000, results), {
          command: "hook check",
          url: redactUrl(to.href),
          provider: provider.name,
          summary,
          scenarios: results,
        })
      : undefined;
    showSummary(out, summary, path);
    return summary.failed === 0 && summary.inconclusive === 0 ? Exit.ok : Exit.failed;
  } finally {
    await sender.close();
  }
}

function summarise(results: ScenarioResult[], budgetMs: number, firstFix: FirstFix | undefined) {
  const count = (outcome: ScenarioResult["outcome"]) => results.filter((r) => r.outcome === outcome).length;
  return {
    total: results.length,
    passed: count("PASS"),
    failed: count("FAIL"),
    skipped: count("SKIP"),
    inconclusive: count("INCONCLUSIVE"),
    budgetMs,
    ...(firstFix ? { firstFix } : {}),
  };
}

function showSummary(out: Output, summary: ReturnType<typeof summarise>, path: string | undefined): void {
  out.data("summary", { ...summary, ...(path ? { report: path } : {}) });
  const c = out.color;
  const failed = summary.failed ? c.red(`${summary.failed} failed`) : "0 failed";
  out.line();
  // Said once here rather than on every ???? line: they all have the one cause.
  const unsure = summary.inconclusive
    ? `, ${c.yellow(`${summary.inconclusive} inconclusive`)} (the valid event was not acknowledged, so their answers prove nothing)`
    : "";
  out.line(`${c.green(`${summary.passed} passed`)}, ${failed}, ${summary.skipped} skipped${unsure}`);
  if (summary.firstFix) out.line(c.bold(`fix this first: ${summary.firstFix.message}`));
  if (path) out.line(c.dim(`report: ${path}`));
}

function baseFixture(options: CheckOptions, io: Io, provider: Provider, sample?: string): LoadedFixture {
  const file = options.fixture;
  if (file) {
    const loaded = loadFixtures([file], io.cwd);
    if (loaded.length !== 1)
      throw new UsageError(`--fixture: "${file}" must be one fixture file, not a folder`);
    return loaded[0] as LoadedFixture;
  }
  if (sample) return findBuiltin(provider.name, sample).fixture;
  const first = builtinSamples(provider.name)[0];
  if (first) return first.fixture;
  const body = Buffer.from(GENERIC_EVENT());
  return {
    file: "(generic event)",
    event: "hook.check",
    method: "POST",
    path: "/",
    headers: {},
    body,
    bare: true,
  };
}

function showScenario(out: Output, r: ScenarioResult): void {
  out.data("scenario", { ...r });
  if (out.json) return;
  const c = out.color;
  const mark = MARKS[r.outcome](c);
  const detail = r.outcome === "SKIP" ? c.dim(r.note ?? "") : `expected ${r.expected}, got ${r.got}`;
  out.line(`${mark} ${r.n}. ${r.title.padEnd(38)} ${detail}`);
  if (r.outcome === "FAIL" && r.note) out.line(c.dim(`       why: ${r.note}`));
}

type Colour = Output["color"];

/** Four letters each, so the titles line up; an inconclusive scenario is neither a pass nor a fail. */
const MARKS: Record<ScenarioResult["outcome"], (c: Colour) => string> = {
  PASS: (c) => c.green("PASS"),
  FAIL: (c) => c.red("FAIL"),
  SKIP: (c) => c.yellow("SKIP"),
  INCONCLUSIVE: (c) => c.yellow("????"),
};

/** JUnit has no "inconclusive": an error (the case could not be judged), which CI does not count as passed. */
const CASE_OUTCOME = {
  PASS: "passed",
  FAIL: "failure",
  SKIP: "skipped",
  INCONCLUSIVE: "error",
} as const satisfies Record<ScenarioResult["outcome"], Suite["cases"][number]["outcome"]>;

function suiteOf(provider: Provider, timestamp: Date, seconds: number, results: ScenarioResult[]): Suite {
  return {
    name: "hook check",
    timestamp,
    seconds,
    cases: results.map((r) => ({
      name: `${r.n}. ${r.title}`,
      classname: `hook.check.${provider.name}`,
      seconds: (r.latencyMs ?? 0) / 1000,
      outcome: CASE_OUTCOME[r.outcome],
      message:
        r.outcome === "SKIP"
          ? r.note
          : r.outcome === "FAIL"
            ? `expected ${r.expected}, got ${r.got}`
            : r.outcome === "INCONCLUSIVE"
              ? `inconclusive: ${r.note}; got ${r.got}`
              : undefined,
      detail:
        r.outcome === "FAIL" ? `expected ${r.expected}, got ${r.got}\nwhy it matters: ${r.note}` : undefined,
    })),
  };
}
