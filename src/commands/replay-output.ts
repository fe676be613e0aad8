import type { ReplayResult, ReplaySummary } from "../replay/run.js";
import type { Io } from "../ui/io.js";
import type { Output } from "../ui/output.js";
import { formatDuration } from "../units.js";

/**
 * The human side of replay and trigger: a line per request on stderr, and on a TTY a counter
 * line kept at the bottom (redrawn in place) so a long run shows how far it has got.
 */
export class ReplayRenderer {
  private progressShown = false;
  private readonly showProgress: boolean;

  constructor(
    private readonly out: Output,
    private readonly io: Io,
    total: number,
    private readonly repeat: number,
  ) {
    this.showProgress = out.interactive && total > 1;
  }

  result(result: ReplayResult, done: number, total: number): void {
    this.out.data("result", { ...result });
    if (this.out.json) return;
    this.clearProgress();
    this.out.line(this.format(result));
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
    const what = [r.provider, r.event, r.eventId].filter(Boolean).join(" ");
    const attempt = this.repeat > 1 ? c.dim(` #${r.attempt}`) : "";
    const why = r.pass ? "" : c.red(r.error ? `  ${r.error}` : `  expected ${r.expected}`);
    return `${verdict} ${status} ${latency}  ${what}${attempt}  ${c.dim(r.file)}${why}`;
  }

  summary(summary: ReplaySummary, interrupted: boolean, reportPath?: string): void {
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
