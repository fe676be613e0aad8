import type { HookError } from "../errors.js";
import type { PassResult } from "../poll/pass.js";
import type { PollState } from "../poll/state.js";
import type { PollEvent } from "../poll/types.js";
import type { Output, Spinner } from "../ui/output.js";
import { formatDuration } from "../units.js";
import type { PollSetup } from "./poll-options.js";

/** Turns the core's events into one line per delivery (stderr) or NDJSON (stdout, --json). */
export class PollRenderer {
  private calls = 0;
  private delivered = 0;
  private skipped = 0;
  private failed = 0;
  private bootstrapShown = false;

  constructor(
    private readonly out: Output,
    private readonly setup: PollSetup,
  ) {}

  event(event: PollEvent): void {
    const { out } = this;
    const c = out.color;
    if (event.kind === "poll") {
      this.calls += 1;
      out.data("poll", {
        method: event.method,
        url: event.url,
        status: event.status,
        count: event.count,
        ms: event.ms,
      });
    } else if (event.kind === "wait") {
      out.data("wait", { ms: event.ms, reason: event.reason });
      out.line(c.yellow(`waiting ${formatDuration(event.ms)}: ${event.reason}`));
    } else if (event.kind === "delivery") {
      out.data("delivery", {
        id: event.id,
        type: event.type ?? null,
        status: event.status ?? null,
        ok: event.ok,
        latency: event.ms,
        error: event.error,
      });
      const mark = event.ok ? c.green("✓") : c.red("✗");
      const status = event.status === undefined ? "---" : String(event.status);
      out.line(
        `${mark} ${status} ${event.type ?? ""} ${c.dim(event.id)} ${c.dim(`${event.ms}ms`)}${event.error && !event.ok ? c.red(` ${event.error}`) : ""}`,
      );
    } else if (event.kind === "warning") {
      out.data("warning", { message: event.message });
      out.warn(event.message);
    } else {
      this.skip(event);
    }
  }

  private skip(event: Extract<PollEvent, { kind: "skip" }>): void {
    if (event.reason === "bootstrap") {
      if (this.bootstrapShown) return;
      this.bootstrapShown = true;
      this.out.line(
        `first run: starting from now; earlier events are not delivered (--since 2h or --since all backfills)`,
      );
      return;
    }
    this.out.data("skip", { id: event.id, type: event.type ?? null, reason: event.reason });
    if (!event.reason.startsWith("filtered"))
      this.out.line(this.out.color.dim(`- skipped ${event.type ?? ""} ${event.id}: ${event.reason}`));
  }

  pass(result: PassResult): void {
    this.delivered += result.delivered;
    this.skipped += result.skipped;
    if (result.failed) {
      this.failed += 1;
      this.out.line(
        this.out.color.red(
          `delivery of ${result.failed.id} failed (${result.failed.error}); it and everything after it wait for the next pass`,
        ),
      );
    }
  }

  /** An error the run survives (loop mode), or the one that ends it (then cli.ts prints it too). */
  error(error: HookError): void {
    this.out.data("error", { message: error.message, hint: error.hint ?? null, exitCode: error.exitCode });
    if (!this.setup.once) this.out.warn(`${error.message}${error.hint ? ` (${error.hint})` : ""}`);
  }

  stopping(): void {
    this.out.data("stopping", {});
    this.out.line(
      "stopping: the delivery in flight finishes, then the state is saved (Ctrl-C again quits at once)",
    );
  }

  note(text: string): void {
    this.out.warn(text);
  }

  waiting(ms: number): Spinner {
    return this.out.spinner(`waiting for new events; next poll in ${formatDuration(ms)}`);
  }

  finish(code: number, state: PollState, note?: string): number {
    this.out.data("summary", {
      delivered: this.delivered,
      skipped: this.skipped,
      failed: this.failed,
      calls: this.calls,
      cursor: state.data.cursor ?? null,
      state: state.path,
      exitCode: code,
    });
    const parts = [`delivered ${this.delivered}`, `${this.calls} API call${this.calls === 1 ? "" : "s"}`];
    if (this.skipped > 0) parts.push(`skipped ${this.skipped}`);
    if (this.failed > 0) parts.push(this.out.color.red(`${this.failed} failed`));
    this.out.line(
      `${parts.join(", ")}${note ? `; ${note}` : ""}${code === 130 ? " (interrupted; state saved)" : ""}`,
    );
    return code;
  }
}
