import { errorMessage } from "../errors.js";
import type { TunnelRecord } from "../events/types.js";
import { findCloudflared } from "./binary.js";
import { type ReachableOptions, waitForDns } from "./reachable.js";
import { startTunnel, type Tunnel, TunnelError, type TunnelOptions } from "./tunnel.js";

interface SupervisorOptions extends Omit<TunnelOptions, "bin"> {
  explicitBin?: string;
  env: NodeJS.ProcessEnv;
  /** Waits before each restart after cloudflared died; the last one repeats. */
  backoffMs?: number[];
  emit: (record: TunnelRecord) => void;
  /**
   * Also report when each URL is reachable (edge connection registered, hostname resolving), for
   * `--register`; the DNS lookup is injectable.
   */
  reachable?: ReachableOptions;
}

const BACKOFF = [1_000, 2_000, 5_000, 10_000, 30_000];

/**
 * Keeps a tunnel to `localUrl` up: reports the URL; if cloudflared dies, restarts it with backoff and
 * reports the new one. If the first start fails, it says why once and gives up (hook keeps listening
 * locally). Never throws.
 */
export class TunnelSupervisor {
  private current: Tunnel | undefined;
  private stopped = false;
  private wake: (() => void) | undefined;
  private running: Promise<void> | undefined;
  private readonly abort = new AbortController();

  constructor(
    private readonly localUrl: string,
    private readonly options: SupervisorOptions,
  ) {}

  get url(): string | undefined {
    return this.current?.url;
  }

  start(): void {
    this.running ??= this.run().catch((error: Error) => {
      this.options.emit({ state: "failed", reason: error.message, hint: "use --no-tunnel" });
    });
  }

  private async run(): Promise<void> {
    const emit = this.options.emit;
    let bin: string;
    try {
      bin = await findCloudflared({
        explicit: this.options.explicitBin,
        env: this.options.env,
        onInstall: () => emit({ state: "installing" }),
      });
    } catch (error) {
      emit(failure(error));
      return;
    }
    const backoff = this.options.backoffMs ?? BACKOFF;
    let failures = 0;
    for (let first = true; !this.stopped; first = false) {
      if (!first) {
        const retryInMs = backoff[Math.min(failures, backoff.length - 1)] ?? 1_000;
        emit({ state: "restarting", retryInMs });
        await this.sleep(retryInMs);
        if (this.stopped) return;
      }
      emit({ state: "starting" });
      try {
        this.current = await startTunnel(this.localUrl, { ...this.options, bin, signal: this.abort.signal });
      } catch (error) {
        if (this.stopped) return;
        emit(failure(error));
        if (first) return;
        failures += 1;
        continue;
      }
      failures = 0;
      emit({ state: "up", url: this.current.url, quick: this.current.quick });
      if (this.options.reachable) void this.announce(this.current, this.options.reachable);
      const exit = await Promise.race([this.current.exited, this.stoppedSignal()]);
      this.current = undefined;
      if (this.stopped || !exit) return;
      emit({ state: "down", reason: `cloudflared exited with ${exit.code ?? exit.signal}`, tail: exit.tail });
    }
  }

  /** Emits "reachable" once the tunnel is connected and its hostname resolves; nothing if it died first. */
  private async announce(tunnel: Tunnel, options: ReachableOptions): Promise<void> {
    const exited = tunnel.exited.then(() => false);
    if (!(await Promise.race([tunnel.connected.then(() => true), exited]))) return;
    if (!tunnel.url) {
      this.options.emit({ state: "reachable", quick: tunnel.quick });
      return;
    }
    const url = tunnel.url;
    const host = new URL(url).hostname;
    const ok = await waitForDns(host, { ...options, signal: this.abort.signal });
    if (this.current !== tunnel || this.stopped) return;
    this.options.emit(
      ok
        ? { state: "reachable", url, quick: tunnel.quick }
        : {
            state: "unreachable",
            url,
            reason: `${host} does not resolve yet`,
            hint: "check DNS, or pass --public-url",
          },
    );
  }

  private stoppedSignal(): Promise<undefined> {
    return new Promise((resolve) => {
      this.wake = () => resolve(undefined);
    });
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  /** Stops cloudflared (SIGINT, then SIGKILL) and the restarts. Idempotent. */
  async close(): Promise<void> {
    if (this.stopped) return this.running;
    this.stopped = true;
    const tunnel = this.current;
    this.wake?.();
    this.abort.abort();
    await tunnel?.close();
    await this.running;
    this.options.emit({ state: "stopped" });
  }
}

function failure(error: unknown): TunnelRecord {
  if (error instanceof TunnelError) {
    return { state: "failed", reason: error.message, hint: error.hint, tail: error.tail };
  }
  return { state: "failed", reason: errorMessage(error), hint: "use --no-tunnel" };
}
