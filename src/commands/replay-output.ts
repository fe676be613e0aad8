import type { ReplayResult, ReplaySummary } from "../replay/run.js";
import { answerSnippet, slowAnswer } from "../ui/answer.js";
import { escapeControl } from "../ui/escape.js";
import type { Io } from "../ui/io.js";
import type { LineBatch } from "../ui/line-batch.js";
import type { Output } from "../ui/output.js";
import { formatDuration } from "../units.js";

/** How long each provider waits for an answer, by name: a slower one is counted failed and resent. */
type Budgets = ReadonlyMap<string, number>;

/**
 * The human side of replay and trigger: a line per request on stderr, and on a TTY a counter
 * line kept at the bottom (redrawn in place) so a long run shows how far it has got.
 */
export class ReplayRenderer {
  private progressShown = false;
  private readonly showProgress: boolean;
  private readonly batch: LineBatch;

  constructor(
    private readonly out: Output,
    private readonly io: Io,
    total: number,
    private readonly repeat: number,
    private readonly budgets: Budgets = new Map(),
  ) {
    this.showProgress = out.interactive && total > 1;
    // A person at a terminal sees each line at once; a pipe gets them in batches, so 10,000 results
    // cost a few hundred writes instead of 10,000 (each one a blocking write on a pipe).
    this.batch = out.batch(100);
  }

  result(result: ReplayResult, done: number, total: number): void {
    if (this.out.json) {
      this.batch.add(this.out.jsonText(resultLine(result)));
      return;
    }
    this.clearProgress();
    this.batch.add(this.out.human(this.format(result)));
    if (this.showProgress && done < total) {
      this.io.stderr.write(this.out.color.dim(`  ${done}/${total} sent…`));
      this.progressShown = true;
    }
  }

  private clearProgress(): void {
    if (!this.progressShown) return;
    this.io.stderr.write("\r\x1b[K");
    this.progressShown = false;
  }

  private format(r: ReplayResult): string {
    const c = this.out.color;
    const verdict = r.pass ? c.green("PASS") : c.red("FAIL");
    const status = r.status === undefined ? c.red("---") : String(r.status);
    const latency = formatDuration(r.latencyMs).padStart(6);
    const what = escapeControl([r.provider, r.event, r.eventId].filter(Boolean).join(" "));
    const attempt = this.repeat > 1 ? c.dim(` #${r.attempt}`) : "";
    const why = r.pass ? "" : c.red(r.error ? `  ${escapeControl(r.error)}` : `  expected ${r.expected}`);
    return `${verdict} ${status} ${latency}  ${what}${attempt}  ${c.dim(escapeControl(r.file))}${why}${this.notes(r)}`;
  }

  /** The app's own words for a non-2xx, and a warning when the provider would have given up waiting. */
  private notes(r: ReplayResult): string {
    const c = this.out.color;
    const said = r.status === undefined ? undefined : answerSnippet(r.status, r.responseBody);
    const budget = this.budgets.get(r.provider);
    const slow =
      budget === undefined ? undefined : slowAnswer({ name: r.provider, timeoutMs: budget }, r.latencyMs);
    // On the same line: a log read with grep, or with a timestamp per line, keeps each request whole.
    return `${said ? `  ${c.dim("answer:")} ${said}` : ""}${slow ? `  ${c.yellow("slow:")} ${slow}` : ""}`;
  }

  summary(summary: ReplaySummary, interrupted: boolean, reportPath?: string): void {
    this.batch.flush();
    this.out.data("summary", { ...summary, interrupted, ...(reportPath ? { report: reportPath } : {}) });
    if (this.out.json) return;
    this.clearProgress();
    const c = this.out.color;
    const sent = summary.total - summary.notSent;
    const parts = [c.green(`${summary.passed} passed`)];
    if (summary.failed) parts.push(c.red(`${summary.failed} failed`));
    if (summary.errors) parts.push(c.red(`${summary.errors} got no answer`));
    if (summary.notSent) parts.push(c.yellow(`${summary.notSent} not sent (interrupted)`));
    const rate = sent > 1 ? `, ${summary.perSecond}/s` : "";
    this.out.line(`${sent} sent: ${parts.join(", ")} in ${formatDuration(summary.durationMs)}${rate}`);
    if (reportPath) this.out.line(c.dim(`report: ${reportPath}`));
  }
}

/**
 * The --json result line: the same keys in the same order as `{ kind: "result", ...result }`, built
 * as one literal so every line has the same shape (spreading made a fresh dictionary-mode object per line).
 */
function resultLine(r: ReplayResult) {
  return {
    kind: "result",
    index: r.index,
    file: r.file,
    provider: r.provider,
    event: r.event,
    eventId: r.eventId,
    deliveryId: r.deliveryId,
    attempt: r.attempt,
    method: r.method,
    url: r.url,
    status: r.status,
    latencyMs: r.latencyMs,
    pass: r.pass,
    expected: r.expected,
    error: r.error,
    answerStart: r.answerStart,
  };
}
