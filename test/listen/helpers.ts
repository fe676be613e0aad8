import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import Stripe from "stripe";
import { afterEach, beforeEach } from "vitest";
import { CliProcess } from "../helpers/cli.js";
import { Target } from "../helpers/target.js";

export const FAKE_CLOUDFLARED = fileURLToPath(new URL("../helpers/fake-cloudflared.mjs", import.meta.url));
export const SECRET = "whsec_test_secret_for_listen_tests";

/** A fresh working folder per test (its .hook/ data dir included). */
export function workDir(): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), "hook-listen-"));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface Listening {
  proc: CliProcess;
  port: number;
  url: string;
}

/** `hook listen --json --port 0 ...args`, resolved once the ready line says which port it got. */
export async function startListen(
  args: string[],
  options: { cwd: string; env?: Record<string, string | undefined>; tunnel?: boolean },
): Promise<Listening> {
  const tunnelArgs = options.tunnel ? [] : ["--no-tunnel"];
  const proc = new CliProcess(["listen", "--json", "--port", "0", ...tunnelArgs, ...args], {
    cwd: options.cwd,
    env: options.env,
  });
  const match = await proc.waitFor(/"kind":"ready"[^\n]*"port":(\d+)/);
  const port = Number(match[1]);
  return { proc, port, url: `http://127.0.0.1:${port}` };
}

/** Stripe-Signature for `payload` made by the Stripe SDK itself. */
export function stripeHeader(payload: string, timestamp?: number): string {
  return Stripe.webhooks.generateTestHeaderString({ payload, secret: SECRET, timestamp });
}

/** JSON lines of one kind from a --json listen. */
export function linesOf(proc: CliProcess, kind: string): Record<string, unknown>[] {
  // Only complete lines: a chunk may end in the middle of one.
  const complete = proc.stdout.slice(0, proc.stdout.lastIndexOf("\n") + 1);
  return complete
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((line) => line.kind === kind);
}

/** Waits until `count` JSON lines of `kind` have been printed (or the process exits). */
export function waitForLines(
  proc: CliProcess,
  kind: string,
  count: number,
  timeoutMs = 20_000,
  where: (line: Record<string, unknown>) => boolean = () => true,
): Promise<Record<string, unknown>[]> {
  return new Promise((resolve, reject) => {
    const check = () => {
      const lines = linesOf(proc, kind).filter(where);
      if (lines.length < count) return false;
      done();
      resolve(lines);
      return true;
    };
    const onExit = () => {
      if (!check()) {
        done();
        reject(
          new Error(`exited with ${linesOf(proc, kind).length} of ${count} ${kind} lines\n${proc.stderr}`),
        );
      }
    };
    const timer = setTimeout(() => {
      done();
      reject(new Error(`got ${linesOf(proc, kind).length} of ${count} ${kind} lines\nstderr:${proc.stderr}`));
    }, timeoutMs);
    const onData = () => void check();
    const done = () => {
      clearTimeout(timer);
      proc.child.stdout?.off("data", onData);
      proc.child.off("close", onExit);
    };
    if (check()) return;
    // Registered after CliProcess's own listener, so proc.stdout already holds the new chunk.
    proc.child.stdout?.on("data", onData);
    proc.child.on("close", onExit);
  });
}

export interface ListenSetup {
  /** The app listen forwards to: started before each test, closed after it. */
  readonly target: Target;
  /** A fresh working folder per test, removed after it. */
  readonly work: { dir: string; remove(): void };
  /** startListen in the work folder; stopped after the test, however it ends. */
  listen(
    args: string[],
    options?: { env?: Record<string, string | undefined>; tunnel?: boolean },
  ): Promise<Listening>;
  /** A listen started some other way (startInspecting): stopped after the test too. */
  track<T extends Listening>(listening: T): T;
}

/**
 * The set-up most listen tests share, registered as the describe block's beforeEach/afterEach: a
 * target and a work folder before each test; after it, every listen started through it stopped
 * (SIGKILL: how it stops is not what these tests are about), the target closed, the folder removed.
 */
export function listenSetup(): ListenSetup {
  const running: Listening[] = [];
  let target: Target | undefined;
  let work: { dir: string; remove(): void } | undefined;
  beforeEach(async () => {
    target = await new Target().start();
    work = workDir();
  });
  afterEach(async () => {
    for (const listening of running.splice(0)) await listening.proc.stop("SIGKILL");
    await target?.close();
    work?.remove();
  });
  const setup: ListenSetup = {
    get target() {
      if (!target) throw new Error("listenSetup: the target exists only inside a test");
      return target;
    },
    get work() {
      if (!work) throw new Error("listenSetup: the work folder exists only inside a test");
      return work;
    },
    listen: async (args, options = {}) =>
      setup.track(await startListen(args, { cwd: setup.work.dir, ...options })),
    track: (listening) => {
      running.push(listening);
      return listening;
    },
  };
  return setup;
}
