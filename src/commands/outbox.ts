import { resolve } from "node:path";
import { askListener, type ControlReply, type ControlRequest } from "../deliver/control.js";
import type { PendingEntry } from "../deliver/outbox.js";
import { changeOffline, listOffline, type OfflineResult } from "../deliver/outbox-offline.js";
import { Exit, HookError, StartError, UsageError } from "../errors.js";
import { escapeControl } from "../ui/escape.js";
import type { Io } from "../ui/io.js";
import { Output } from "../ui/output.js";
import { formatDuration } from "../units.js";
import { forwardSecretFrom, providerFrom } from "./common.js";
import { ListenRenderer } from "./listen-render.js";
import type { OutboxOptions } from "./outbox-flags.js";
import { positiveDurationOption, urlOption } from "./values.js";

const ACTIONS = ["list", "retry", "drop"] as const;

function requestFrom(args: string[]): ControlRequest {
  const [action, target, ...rest] = args;
  if (!ACTIONS.includes(action as (typeof ACTIONS)[number])) {
    throw new UsageError(
      `outbox: unknown action "${action ?? ""}"`,
      "use hook outbox list, retry or drop SEQ|EVENT_ID",
    );
  }
  if (action === "drop") {
    if (!target)
      throw new UsageError(
        "outbox drop: which entry?",
        "give its sequence number or event id (see hook outbox list)",
      );
    return { op: "drop", target };
  }
  if (target !== undefined || rest.length > 0) throw new UsageError(`outbox ${action}: takes no argument`);
  return { op: action as "list" | "retry" };
}

/**
 * Reaches the running listener over its control socket, or, when none runs, works on the files
 * itself. A listener that holds the lock but does not answer yet (it is starting) gets a few tries.
 */
async function perform(
  request: ControlRequest,
  options: OutboxOptions,
  io: Io,
): Promise<OfflineResult & { live: boolean }> {
  const dataDir = resolve(io.cwd, options.dataDir);
  for (let attempt = 0; attempt < 5; attempt += 1) {
    const reply = await askListener(dataDir, request);
    if (reply) return { reply, events: [], live: true };
    if (request.op === "list") return { reply: listOffline(dataDir, io.now()), events: [], live: false };
    try {
      return { ...(await changeOffline(request, offlineOptions(dataDir, options, io))), live: false };
    } catch (error) {
      if (!(error instanceof StartError)) throw error;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new HookError(
    `outbox: ${dataDir} is held by a hook listen that does not answer on its control socket`,
    {
      exitCode: Exit.lockHeld,
      hint: "try again in a moment; if no hook is running, delete its listen.lock",
    },
  );
}

function offlineOptions(dataDir: string, options: OutboxOptions, io: Io) {
  const provider = options.provider ? providerFrom(options) : undefined;
  const forwardSecret = forwardSecretFrom(options, provider);
  return {
    dataDir,
    forwardTo: options.forwardTo ? urlOption(options.forwardTo, "--forward-to") : undefined,
    timeoutMs: positiveDurationOption(options.timeout, "--timeout", "30s"),
    provider,
    // As listen --forward-secret signs each attempt: with the app's secret, for every provider.
    secret: forwardSecret ?? options.secret?.[0],
    resignAll: forwardSecret !== undefined,
    env: io.env,
    giveUpAfterMs: positiveDurationOption(options.giveUpAfter, "--give-up-after", "24h"),
    now: io.now,
  };
}

export async function outboxCommand(args: string[], options: OutboxOptions, io: Io): Promise<number> {
  const request = requestFrom(args);
  const out = new Output(io, options);
  const { reply, events, live } = await perform(request, options, io);
  const renderer = new ListenRenderer(out);
  for (const event of events) renderer.handle(event);
  renderer.flush();
  const code = render(out, reply, live);
  // Beside no listener, retry made the attempt itself: a failed one is a failed command.
  return events.some((e) => e.kind === "delivery" && !e.record.ok) ? Exit.failed : code;
}

function render(out: Output, reply: ControlReply, live: boolean): number {
  const c = out.color;
  if (!reply.ok) {
    out.data("error", { message: reply.error });
    throw new HookError(`outbox: ${reply.error}`, { hint: "see hook outbox list" });
  }
  const where = live ? "the running hook listen" : "the journal (no hook listen is running)";
  switch (reply.op) {
    case "list":
      for (const entry of reply.entries) {
        out.data("entry", { ...entry });
        out.line(entryLine(out, entry));
      }
      out.line(c.dim(`${reply.entries.length} pending, from ${where}`));
      return Exit.ok;
    case "retry":
      out.data("retry", { retried: reply.retried, pending: reply.pending, live });
      if (!reply.retried) out.line("nothing pending");
      else if (live) out.line(`the running hook listen tries the head now (${reply.pending} pending)`);
      return Exit.ok;
    case "drop":
      out.data("dropped", { seq: reply.seq, file: reply.file, pending: reply.pending, live });
      if (live) out.line(`#${reply.seq} moved to dead/ by ${where}: ${reply.file}`);
      out.line(c.dim(`send it later with: hook replay ${reply.file} --to URL`));
      return Exit.ok;
  }
}

function entryLine(out: Output, e: PendingEntry): string {
  const c = out.color;
  // Event type, id and the target's error came from outside: shown, never obeyed.
  const what = escapeControl([e.event ?? "-", e.eventId ?? "-"].join("  "));
  const error = e.lastError ? `  ${c.red(`last error: ${escapeControl(e.lastError)}`)}` : "";
  return `#${e.seq}  ${what}  ${c.dim(`attempts ${e.attempts}, age ${formatDuration(e.ageMs)}`)}${error}`;
}
