import { setTimeout as sleep } from "node:timers/promises";
import { Exit, HookError, UsageError } from "../errors.js";
import type { EventBus } from "../events/types.js";
import { HttpClient } from "../net/client.js";
import { ApiClient, type ApiOptions } from "../poll/api-client.js";
import { lowerCased } from "../poll/delivery.js";
import { PollState } from "../poll/state.js";
import { STRIPE_API } from "../poll/stripe.js";
import type { DeliveryRequest } from "../poll/types.js";
import type { Pipeline } from "../receive/pipeline.js";
import { type Confirm, stripeConfirm } from "../reconcile/confirm.js";
import { ReceiveGate } from "../reconcile/gate.js";
import { type ReconcileEvent, startLoop } from "../reconcile/loop.js";
import { acquireFileLock } from "../store/lock.js";
import type { Io } from "../ui/io.js";
import type { ListenOptions } from "./listen-flags.js";
import { type Built, buildSource, sinceOption } from "./poll-options.js";
import { durationOption } from "./values.js";

/** The provider's API may hold a webhook this long to confirm it: providers wait a few seconds. */
const CONFIRM_MAX_WAIT_MS = 2_000;
const CONFIRM_ATTEMPTS = 2;
const PASS_ATTEMPTS = 5;
/** As listen's own grace for requests in flight on Ctrl-C. */
const STOP_GRACE_MS = 3_000;

interface Reconciler {
  gate?: ReceiveGate;
  confirm?: Confirm;
  /** Starts the passes once the pipeline exists: reconciled events go through it. */
  start(pipeline: Pipeline): void;
  stop(): Promise<void>;
}

interface ListenBits {
  provider?: string;
  dataDir: string;
  timeoutMs: number;
  bus: EventBus;
}

/** --reconcile and --confirm, or undefined when neither was asked for. Bad flags: exit 2. */
export function reconcileSetup(options: ListenOptions, io: Io, bits: ListenBits): Reconciler | undefined {
  const reconcile = options.reconcile === true;
  const confirm = options.confirm === true;
  for (const flag of ["every", "since", "forwardDuplicates"] as const) {
    if (!reconcile && options[flag] !== undefined)
      throw new UsageError(`listen: --${kebab(flag)} needs --reconcile`);
  }
  if (!reconcile && !confirm) return undefined;
  const provider = bits.provider;
  if (provider !== "stripe" && provider !== "github") {
    throw new UsageError(
      `listen: --${reconcile ? "reconcile" : "confirm"} needs --provider stripe or github`,
      "those are the providers whose events API hook can read",
    );
  }
  if (confirm && provider === "github") {
    throw new UsageError(
      "listen: --confirm does not work with github",
      "GitHub's API cannot look an event up by a webhook's delivery id (only a hook's admin can list its deliveries); --reconcile still fills in missed events",
    );
  }
  const built = buildSource(provider, options, io, () => `${statePath}.spool`, "listen --reconcile");
  const statePath = `${bits.dataDir}/reconcile/${provider}-${built.source.key.replace(/[^a-zA-Z0-9._-]+/g, "-")}.json`;
  const everyMs = durationOption(options.every ?? "5m", "--every") ?? 300_000;
  if (everyMs <= 0) throw new UsageError("listen: --every must be more than 0", "for example 5m");
  const since = sinceOption(options.since, io.now());
  const controller = new AbortController();
  // The API calls' own client (proxy variables, deadlines, errors in words), as hook poll's.
  const http = new HttpClient({ env: io.env, connections: 4 });
  const report = (event: ReconcileEvent) => bits.bus.emit({ kind: "reconcile", event });
  const api = (maxAttempts: number, maxWaitMs: number, emit: ApiOptions["emit"] = report) =>
    apiClient(built, io, http, bits.timeoutMs, controller.signal, { maxAttempts, maxWaitMs, emit });
  const stopApi = async () => {
    controller.abort();
    await http.close(0);
  };
  const confirmer = confirm
    ? stripeConfirm(api(CONFIRM_ATTEMPTS, CONFIRM_MAX_WAIT_MS), apiBase(options))
    : undefined;
  const announce = (fields: { everyMs?: number; state?: string }) =>
    report({ kind: "start", api: built.apiName, confirm, ...fields });
  if (!reconcile) {
    return { confirm: confirmer, start: () => announce({}), stop: stopApi };
  }
  const release = lockState(statePath, io);
  const state = loadState(statePath, provider, built.source.key, since, bits.bus, release);
  const gate = new ReceiveGate(state, provider, options.forwardDuplicates === true);
  let loop: { stop: () => Promise<void> } | undefined;
  return {
    gate,
    confirm: confirmer,
    start(pipeline) {
      announce({ everyMs, state: statePath });
      loop = startLoop({
        source: built.source,
        state,
        api: (emit) => api(PASS_ATTEMPTS, Number.POSITIVE_INFINITY, emit),
        http,
        target: new URL("http://127.0.0.1/"),
        timeoutMs: bits.timeoutMs,
        wanted: () => true,
        since,
        now: io.now,
        everyMs,
        send: (request) => throughPipeline(pipeline, request, io.now),
        emit: report,
        sleep: (ms, signal) => sleep(ms, undefined, { signal }),
      });
    },
    async stop() {
      controller.abort();
      try {
        // The delivery in flight gets the grace listen gives every request; if it has not ended by
        // then it repeats on the next start (the journal has everything before it).
        await withGrace(loop?.stop());
        state.save();
      } finally {
        release();
        await stopApi();
      }
    },
  };
}

async function withGrace(stopping: Promise<void> | undefined): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const grace = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, STOP_GRACE_MS);
  });
  await Promise.race([stopping, grace]);
  clearTimeout(timer);
}

/** A reconciled event enters hook as a webhook would: verified, shown, saved, forwarded or queued. */
async function throughPipeline(pipeline: Pipeline, request: DeliveryRequest, now: () => Date) {
  const started = performance.now();
  const reply = await pipeline.handle({
    method: "POST",
    path: "/",
    headers: Object.entries(lowerCased(request.headers)),
    body: request.body,
    receivedAt: now(),
    reconciled: true,
  });
  const ok = reply.status >= 200 && reply.status < 300;
  const ms = Math.round(performance.now() - started);
  return { ok, status: reply.status, ms, error: ok ? undefined : `answered ${reply.status}` };
}

function lockState(statePath: string, io: Io): () => void {
  return acquireFileLock(`${statePath}.lock`, {
    now: io.now,
    held: (who, path) =>
      new HookError(`listen --reconcile: another hook is reconciling this source (${who}): lock ${path}`, {
        exitCode: Exit.lockHeld,
        hint: "two would deliver the same missed events twice; stop that one, or give this one its own --data-dir",
      }),
  });
}

/** As hook poll: the first run records --since, so a rerun after a crash keeps the same window. */
function loadState(
  path: string,
  provider: string,
  key: string,
  since: Date | "all" | undefined,
  bus: EventBus,
  release: () => void,
): PollState {
  let state: PollState;
  try {
    state = PollState.load(path, provider, key);
  } catch (error) {
    release();
    throw error;
  }
  if (since !== undefined && state.existed)
    bus.emit({ kind: "warning", message: `--since is ignored: ${path} already exists` });
  else if (since !== undefined) state.data.since = since === "all" ? "all" : since.toISOString();
  return state;
}

function apiClient(
  built: Built,
  io: Io,
  http: HttpClient,
  timeoutMs: number,
  signal: AbortSignal,
  limits: Pick<ApiOptions, "maxAttempts" | "maxWaitMs" | "emit">,
): ApiClient {
  return new ApiClient({
    name: built.apiName,
    keySource: built.keySource,
    headers: built.apiHeaders,
    http,
    timeoutMs,
    ...limits,
    now: io.now,
    sleep: (ms, abort) => sleep(ms, undefined, { signal: abort }),
    signal,
  });
}

function apiBase(options: ListenOptions): string {
  return options.apiBase ?? STRIPE_API;
}

function kebab(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}
