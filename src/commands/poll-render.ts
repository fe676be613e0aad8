import type { HookError } from "../errors.js";
import type { PassResult } from "../poll/pass.js";
import type { PollEvent } from "../poll/poll-event.js";
import type { PollState } from "../poll/state.js";
import { answerSnippet } from "../ui/answer.js";
import { escapeControl } from "../ui/escape.js";
import type { Output, Spinner } from "../ui/output.js";
import { formatDuration } from "../units.js";
import type { PollSetup } from "./poll-options.js";

/** The --json fields of poll's events: `hook poll` and `hook listen --reconcile` print the same objects. */
export function pollEventJson(event: PollEvent): Record<string, unknown> {
  switch (event.kind) {
    case "poll":
      return { method: event.method, url: event.url, status: event.status, count: event.count, ms: event.ms };
    case "wait":
      return { ms: event.ms, reason: event.reason };
    case "delivery": {
      const { id, type, status, ok, ms, error } = event;
      return { id, type: type ?? null, status: status ?? null, ok, latency: ms, error };
    }
    case "skip":
      return { id: event.id, type: event.type ?? null, reason: event.reason };
    case "warning":
      return { message: event.message };
  }
}

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
      out.data("poll", pollEventJson(event));
    } else if (event.kind === "wait") {
      out.data("wait", pollEventJson(event));
      out.line(c.yellow(`waiting ${formatDuration(event.ms)}: ${escapeControl(event.reason)}`));
    } else if (event.kind === "delivery") {
      out.data("delivery", pollEventJson(event));
      out.line(this.deliveryLine(event));
    } else if (event.kind === "warning") {
      out.data("warning", pollEventJson(event));
      out.warn(escapeControl(event.message));
    } else {
      this.skip(event);
    }
  }

  private deliveryLine(event: Extract<PollEvent, { kind: "delivery" }>): string {
    const c = this.out.color;
    const mark = event.ok ? c.green("✓") : c.red("✗");
    const status = event.status === undefined ? "---" : String(event.status);
    // The type and id come from the API, the error and the answer from the app: shown, never obeyed.
    const what = `${escapeControl(event.type ?? "")} ${c.dim(escapeControl(event.id))}`;
    const error = event.error && !event.ok ? c.red(` ${escapeControl(event.error)}`) : "";
    const said = event.status === undefined ? undefined : answerSnippet(event.status, event.responseBody);
    return `${mark} ${status} ${what} ${c.dim(`${event.ms}ms`)}${error}${said ? `  ${c.dim("answer:")} ${said}` : ""}`;
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
    this.out.data("skip", pollEventJson(event));
    if (!event.reason.startsWith("filtered"))
      this.out.line(
        this.out.color.dim(`- skipped ${escapeControl(`${event.type ?? ""} ${event.id}: ${event.reason}`)}`),
      );
  }

  pass(result: PassResult): void {
    this.delivered += result.delivered;
    this.skipped += result.skipped;
    if (result.failed) {
      this.failed += 1;
      this.out.line(
        this.out.color.red(
          `delivery of ${escapeControl(result.failed.id)} failed (${escapeControl(result.failed.error)}); it and everything after it wait for the next pass`,
        ),
      );
    }
  }

  /** An error the run survives (loop mode), or the one that ends it (then cli.ts prints it too). */
  error(error: HookError): void {
    this.out.data("error", { message: error.message, hint: error.hint ?? null, exitCode: error.exitCode });
    if (!this.setup.once)
      this.out.warn(escapeControl(`${error.message}${error.hint ? ` (${error.hint})` : ""}`));
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

  /** Loop mode's first line: what is polled, how often, where it goes, and how to stop. */
  start(intervalMs: number): void {
    const { setup } = this;
    this.out.data("start", {
      provider: setup.provider,
      interval: intervalMs,
      forwardTo: setup.target.href,
      state: setup.statePath,
    });
    this.out.line(
      `polling ${setup.apiName} every ${formatDuration(intervalMs)}, delivering to ${setup.target.href} (state ${setup.statePath}; Ctrl-C stops)`,
    );
  }

  /** The wait between passes, counting down once a second on a terminal (a spinner only runs there). */
  waiting(ms: number, now: () => number = Date.now): Spinner {
    const until = now() + ms;
    const text = () => `waiting for new events; next poll in ${countdown(until - now())}`;
    const spinner = this.out.spinner(text());
    if (!this.out.interactive) return spinner;
    const tick = setInterval(() => spinner.update(text()), 1000);
    tick.unref();
    return {
      update: spinner.update,
      stop: (finalLine) => {
        clearInterval(tick);
        spinner.stop(finalLine);
      },
    };
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

/** Whole seconds, as a countdown reads: "29s", "1m 5s". */
function countdown(ms: number): string {
  const seconds = Math.max(0, Math.ceil(ms / 1000));
  if (seconds < 60) return `${seconds}s`;
  const rest = seconds % 60;
  return `${Math.floor(seconds / 60)}m${rest ? ` ${rest}s` : ""}`;
}
