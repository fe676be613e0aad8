import { setTimeout as sleep } from "node:timers/promises";
import { Exit, HookError } from "../errors.js";
import { HttpClient } from "../net/client.js";
import { ApiClient } from "../poll/api-client.js";
import { acquirePollLock } from "../poll/lock.js";
import { type PassResult, runPass } from "../poll/pass.js";
import { PollState } from "../poll/state.js";
import type { Io } from "../ui/io.js";
import { Output } from "../ui/output.js";
import type { PollOptions } from "./poll-flags.js";
import { type PollSetup, pollSetup } from "./poll-options.js";
import { PollRenderer } from "./poll-render.js";

/** Longest rate-limit wait a --once run sits through; beyond it, cron's next run is the better wait. */
const ONCE_MAX_WAIT_MS = 60_000;
const MAX_ATTEMPTS = 5;

export async function pollCommand(_args: string[], options: PollOptions, io: Io): Promise<number> {
  const out = new Output(io, options);
  const setup = pollSetup(options, io);
  const http = new HttpClient({ env: io.env, connections: 4 });
  const release = acquirePollLock(setup.lockPath, io.now);
  try {
    const state = PollState.load(setup.statePath, setup.provider, setup.source.key);
    return await pollLoop(setup, state, out, io, http);
  } finally {
    release();
    await http.close(0);
  }
}

async function pollLoop(
  setup: PollSetup,
  state: PollState,
  out: Output,
  io: Io,
  http: HttpClient,
): Promise<number> {
  const controller = new AbortController();
  const render = new PollRenderer(out, setup);
  void io.interrupted.then(() => {
    controller.abort();
    render.stopping();
  });
  prepare(setup, state, render);
  const pass = {
    source: setup.source,
    state,
    api: apiClient(setup, io, http, controller.signal, render),
    http,
    target: setup.target,
    timeoutMs: setup.timeoutMs,
    wanted: setup.wanted,
    now: io.now,
    signal: controller.signal,
    emit: render.event.bind(render),
  };
  let firstPass = !state.existed;
  if (!setup.once) render.start(setup.intervalMs);
  for (;;) {
    const result = await passOrError(
      setup,
      () => runPass({ ...pass, since: setup.since, firstPass }),
      render,
    );
    if (result && !result.interrupted) firstPass = false;
    if (result) render.pass(result);
    if (result?.interrupted || controller.signal.aborted) return render.finish(Exit.interrupted, state);
    if (setup.once) return render.finish(result?.failed ? Exit.failed : Exit.ok, state);
    if (result?.end?.finished) return render.finish(Exit.ok, state, "every order reached a final status");
    // GitHub's X-Poll-Interval is a floor: "Please obey the header."
    const waitMs = Math.max(setup.intervalMs, state.data.pollIntervalMs ?? 0);
    const spinner = render.waiting(waitMs);
    try {
      await sleep(waitMs, undefined, { signal: controller.signal });
    } catch {
      return render.finish(Exit.interrupted, state);
    } finally {
      spinner.stop();
    }
  }
}

/** Warnings, and the first run's --since recorded so that a rerun after a crash keeps the same window. */
function prepare(setup: PollSetup, state: PollState, render: PollRenderer): void {
  for (const warning of setup.warnings) render.note(warning);
  if (setup.since === undefined) return;
  if (state.existed) render.note(`--since is ignored: ${state.path} already exists`);
  else state.data.since = setup.since === "all" ? "all" : setup.since.toISOString();
}

function apiClient(
  setup: PollSetup,
  io: Io,
  http: HttpClient,
  signal: AbortSignal,
  render: PollRenderer,
): ApiClient {
  return new ApiClient({
    name: setup.apiName,
    keySource: setup.keySource,
    headers: setup.apiHeaders,
    http,
    timeoutMs: setup.timeoutMs,
    maxWaitMs: setup.once ? ONCE_MAX_WAIT_MS : Number.POSITIVE_INFINITY,
    maxAttempts: MAX_ATTEMPTS,
    now: io.now,
    sleep: (ms, abort) => sleep(ms, undefined, { signal: abort }),
    signal,
    emit: (event) => render.event(event),
  });
}

/**
 * --once: an API error ends the run with its exit code. In a loop, only a refused key stops it;
 * anything else is reported and the next pass tries again from the same cursor.
 */
async function passOrError(
  setup: PollSetup,
  pass: () => Promise<PassResult>,
  render: PollRenderer,
): Promise<PassResult | undefined> {
  try {
    return await pass();
  } catch (error) {
    if (!(error instanceof HookError)) throw error;
    render.error(error);
    if (setup.once || error.exitCode === Exit.usage) throw error;
    return undefined;
  }
}
