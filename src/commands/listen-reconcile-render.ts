import type { ReconcileEvent } from "../reconcile/loop.js";
import { escapeControl as esc } from "../ui/escape.js";
import type { Output } from "../ui/output.js";
import { formatDuration } from "../units.js";
import { pollEventJson } from "./poll-render.js";

/**
 * --reconcile's own lines. The events it delivers are request records like any webhook's (marked
 * reconciled); here only the passes, waits and errors. API calls and skips are --json only: with
 * webhooks arriving, "already delivered" is every event's normal fate and not worth a line.
 */
export function renderReconcile(out: Output, event: ReconcileEvent): void {
  const c = out.color;
  switch (event.kind) {
    case "start": {
      out.data("reconciling", {
        api: event.api,
        everyMs: event.everyMs ?? null,
        state: event.state ?? null,
        confirm: event.confirm,
      });
      const every =
        event.everyMs === undefined
          ? ""
          : `reconciling with the ${event.api} every ${formatDuration(event.everyMs)}`;
      const confirm = event.confirm ? `confirming each webhook with the ${event.api}` : "";
      out.line(`       ${[every, confirm].filter(Boolean).join("; ")}`);
      return;
    }
    case "poll":
      out.data("poll", pollEventJson(event));
      return;
    case "skip":
      out.data("skip", pollEventJson(event));
      if (event.reason === "bootstrap")
        out.line(c.dim("reconcile: first run, starting from now (--since 2h or --since all catches up)"));
      return;
    case "delivery":
      // The pipeline's request record has already said what became of it.
      return;
    case "wait":
      out.data("wait", pollEventJson(event));
      out.line(c.yellow(`reconcile: waiting ${formatDuration(event.ms)}: ${esc(event.reason)}`));
      return;
    case "warning":
      out.data("warning", pollEventJson(event));
      out.warn(`reconcile: ${esc(event.message)}`);
      return;
    case "pass": {
      const { delivered, skipped, failed, interrupted } = event.result;
      out.data("reconcile", { delivered, skipped, failed: failed ?? null, interrupted, calls: event.calls });
      if (failed)
        out.line(
          c.red(
            `reconcile: ${esc(failed.id)} could not be delivered (${esc(failed.error)}); it and the rest wait for the next pass`,
          ),
        );
      else if (delivered > 0)
        out.line(`${c.cyan("reconcile")}: ${delivered} event(s) no webhook brought were delivered`);
      return;
    }
    case "error":
      out.data("error", {
        message: event.error.message,
        hint: event.error.hint,
        reconcile: true,
        stopped: event.stopped,
      });
      out.line(c.red(`reconcile: ${esc(event.error.message)}`));
      if (event.error.hint) out.line(`hint: ${esc(event.error.hint)}`);
      if (event.stopped) out.line(c.yellow("reconcile: stopped; webhooks are still received"));
      return;
  }
}
