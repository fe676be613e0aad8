import { Exit, errorMessage, HookError } from "../errors.js";
import type { ApiClient } from "../poll/api-client.js";
import { type PassOptions, type PassResult, runPass } from "../poll/pass.js";
import type { PollEvent } from "../poll/poll-event.js";
import type { PollState } from "../poll/state.js";

/** What the loop reports: poll's own events, each pass's result, and errors that did not stop it. */
export type ReconcileEvent =
  | PollEvent
  | { kind: "start"; api: string; everyMs?: number; state?: string; confirm: boolean }
  | { kind: "pass"; result: PassResult; calls: number }
  | { kind: "error"; error: HookError; stopped: boolean };

interface LoopOptions extends Omit<PassOptions, "api" | "emit" | "signal" | "firstPass"> {
  /** The API client, made with the loop's own emit so that each pass counts its calls. */
  api: (emit: (event: PollEvent) => void) => ApiClient;
  state: PollState;
  everyMs: number;
  emit: (event: ReconcileEvent) => void;
  sleep: (ms: number, signal: AbortSignal) => Promise<void>;
}

/**
 * hook poll's loop, inside hook listen: one pass at once (the catch-up of what was missed while hook
 * was not running), then one every --every (GitHub's X-Poll-Interval is a floor). An API error is
 * reported and the next pass starts from the same cursor; a refused key stops reconciling (it
 * cannot heal by waiting) but never the receiver.
 */
export function startLoop(options: LoopOptions): { stop: () => Promise<void> } {
  const controller = new AbortController();
  const { state, emit } = options;
  let calls = 0;
  const counted = (event: PollEvent) => {
    if (event.kind === "poll") calls += 1;
    emit(event);
  };
  const pass: PassOptions = {
    ...options,
    api: options.api(counted),
    signal: controller.signal,
    emit: counted,
  };
  const run = async () => {
    let firstPass = !state.existed;
    while (!controller.signal.aborted) {
      calls = 0;
      try {
        const result = await runPass({ ...pass, firstPass });
        if (!result.interrupted) firstPass = false;
        emit({ kind: "pass", result, calls });
      } catch (error) {
        // A bug must not take the receiver down with it: reported, and reconciling stops.
        const known = error instanceof HookError;
        const reported = known ? error : new HookError(`reconcile: ${errorMessage(error)}`);
        const stopped = !known || error.exitCode === Exit.usage;
        emit({ kind: "error", error: reported, stopped });
        if (stopped) return;
      }
      const waitMs = Math.max(options.everyMs, state.data.pollIntervalMs ?? 0);
      await options.sleep(waitMs, controller.signal).catch(() => undefined);
    }
  };
  const running = run();
  return {
    async stop() {
      controller.abort();
      await running.catch(() => undefined);
    },
  };
}
