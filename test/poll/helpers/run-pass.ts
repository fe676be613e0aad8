import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach } from "vitest";
import { HttpClient } from "../../../src/net/client.js";
import { ApiClient } from "../../../src/poll/api-client.js";
import { runPass } from "../../../src/poll/pass.js";
import type { PollEvent } from "../../../src/poll/poll-event.js";
import { PollState } from "../../../src/poll/state.js";
import type { Source } from "../../../src/poll/types.js";
import { Target } from "../../helpers/target.js";

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), "hook-poll-"));
}

export interface PassRun {
  source: Source;
  provider: string;
  statePath: string;
  target: string;
  headers?: Record<string, string>;
  since?: Date | "all";
  wanted?: (type: string | undefined) => boolean;
  maxWaitMs?: number;
  now?: () => Date;
  /** The deadline of each API call and delivery (default 5s). */
  timeoutMs?: number;
  /** Proxy variables, as the command would read them from its environment. */
  env?: Record<string, string | undefined>;
}

/**
 * One pass in-process, as the command runs it, with an instant sleep that records what it was asked
 * to wait: rate limits and backoff are checked without waiting for them.
 */
export async function onePass(run: PassRun) {
  const events: PollEvent[] = [];
  const waits: number[] = [];
  const state = PollState.load(run.statePath, run.provider, run.source.key);
  const signal = new AbortController().signal;
  const now = run.now ?? (() => new Date());
  const http = new HttpClient({ env: run.env ?? {} });
  const api = new ApiClient({
    name: `${run.provider} API`,
    keySource: "--api-key or TEST_KEY",
    headers: run.headers ?? {},
    http,
    timeoutMs: run.timeoutMs ?? 5000,
    maxWaitMs: run.maxWaitMs ?? Number.POSITIVE_INFINITY,
    maxAttempts: 5,
    now,
    sleep: async (ms) => {
      waits.push(ms);
    },
    signal,
    emit: (event) => events.push(event),
  });
  const result = await runPass({
    source: run.source,
    state,
    api,
    http,
    target: new URL(run.target),
    timeoutMs: run.timeoutMs ?? 5000,
    wanted: run.wanted ?? (() => true),
    since: run.since,
    now,
    signal,
    emit: (event) => events.push(event),
  }).finally(() => http.close(0));
  const calls = events.filter((e) => e.kind === "poll").length;
  return { result, events, waits, state, calls };
}

/** What a poll source test talks to: the fake provider API, the app's target and the state file. */
export interface PollServers<Api> {
  api: Api;
  target: Target;
  statePath: string;
}

/**
 * Starts a fresh fake API and target before each test (a state file in a new temp dir) and closes
 * both after it; `use` receives them, so a suite keeps plain variables for its tests to read.
 */
export function withPollServers<Api extends { close(): Promise<void> }>(
  startApi: () => Promise<Api>,
  stateFile: string,
  use: (servers: PollServers<Api>) => void,
): void {
  let servers: PollServers<Api> | undefined;
  beforeEach(async () => {
    servers = {
      api: await startApi(),
      target: await new Target().start(),
      statePath: join(tempDir(), stateFile),
    };
    use(servers);
  });
  afterEach(async () => {
    await servers?.api.close();
    await servers?.target.close();
  });
}
