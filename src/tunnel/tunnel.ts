import { type ChildProcess, spawn } from "node:child_process";
import { boxUrl, failureHint, failureLine, isRegistered, lineSplitter } from "./log.js";

export interface TunnelOptions {
  /** The cloudflared executable. */
  bin: string;
  /** A named tunnel's token: stable hostname. Passed in the environment, never on the command line. */
  token?: string;
  env?: NodeJS.ProcessEnv;
  /** Give up when no URL (or connection, for a named tunnel) shows up within this long. */
  startTimeoutMs?: number;
  /** SIGINT first; SIGKILL after this long. */
  stopGraceMs?: number;
  /** Aborting stops a tunnel that is still starting. */
  signal?: AbortSignal;
}

export interface Tunnel {
  /** The public URL; undefined for a named tunnel, whose hostname is set in Cloudflare's dashboard. */
  url: string | undefined;
  quick: boolean;
  /** Resolves once cloudflared reported a registered connection to Cloudflare's edge. */
  connected: Promise<void>;
  /** Resolves when cloudflared exits, with its last lines. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; tail: string[] }>;
  /** SIGINT, then SIGKILL after the grace period. Idempotent. */
  close(): Promise<void>;
}

/** cloudflared could not bring the tunnel up; `tail` holds the last lines it printed. */
export class TunnelError extends Error {
  constructor(
    message: string,
    readonly hint: string,
    readonly tail: string[],
  ) {
    super(message);
    this.name = "TunnelError";
  }
}

const TAIL = 8;

function args(localUrl: string, token: string | undefined): string[] {
  const base = ["tunnel", "--no-autoupdate", "--url", localUrl];
  return token ? [...base, "run"] : base;
}

/** Starts cloudflared pointing at the receiver and resolves once the tunnel is up. */
export function startTunnel(localUrl: string, options: TunnelOptions): Promise<Tunnel> {
  const env = { ...(options.env ?? process.env), ...(options.token ? { TUNNEL_TOKEN: options.token } : {}) };
  const child = spawn(options.bin, args(localUrl, options.token), { stdio: ["ignore", "pipe", "pipe"], env });
  const tail: string[] = [];
  const close = stopper(child, options.stopGraceMs ?? 3_000);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; tail: string[] }>(
    (resolve) => child.on("close", (code, signal) => resolve({ code, signal, tail })),
  );
  let onConnected = () => {};
  // The box with the URL comes before the connection: the URL exists, but nothing reaches it yet.
  const connected = new Promise<void>((resolve) => {
    onConnected = resolve;
  });
  return new Promise<Tunnel>((resolve, reject) => {
    let settled = false;
    const succeed = (url: string | undefined) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ url, quick: !options.token, connected, exited, close });
    };
    const fail = (message: string, hint: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      // Rejected only once the process is gone, so nobody is left with a stray cloudflared.
      void close().then(() => reject(new TunnelError(message, hint, [...tail])));
    };
    const onLine = (line: string) => {
      tail.push(line);
      if (tail.length > TAIL) tail.shift();
      const url = boxUrl(line);
      if (url && !options.token) succeed(url);
      if (isRegistered(line)) {
        onConnected();
        if (options.token) succeed(undefined);
      }
    };
    readLines(child, onLine);
    const timeoutMs = options.startTimeoutMs ?? 30_000;
    const timer = setTimeout(
      () => fail(`cloudflared gave no tunnel URL within ${timeoutMs / 1000}s`, failureHint(tail)),
      timeoutMs,
    );
    child.on("error", (error: NodeJS.ErrnoException) => {
      fail(
        `cannot run ${options.bin}: ${spawnProblem(error)}`,
        "pass --cloudflared PATH, set CLOUDFLARED_BIN, or use --no-tunnel",
      );
    });
    options.signal?.addEventListener("abort", () => fail("stopped while starting", ""));
    void exited.then(({ code, signal }) => {
      const why = failureLine(tail) ?? `exited with ${code ?? signal}`;
      fail(`cloudflared stopped: ${why}`, failureHint(tail));
    });
  });
}

/** cloudflared logs on stderr (stdout too, in some versions): whole lines from both. */
function readLines(child: ChildProcess, onLine: (line: string) => void): void {
  for (const stream of [child.stdout, child.stderr]) {
    if (!stream) continue;
    const splitter = lineSplitter(onLine);
    stream.setEncoding("utf8").on("data", (chunk: string) => splitter.push(chunk));
    stream.on("end", () => splitter.end());
  }
}

function spawnProblem(error: NodeJS.ErrnoException): string {
  if (error.code === "ENOENT") return "not found";
  if (error.code === "EACCES") return "not executable";
  return error.message;
}

function stopper(child: ChildProcess, graceMs: number): () => Promise<void> {
  let stopping: Promise<void> | undefined;
  return () => {
    stopping ??= new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) {
        resolve();
        return;
      }
      const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
      child.once("close", () => {
        clearTimeout(timer);
        resolve();
      });
      child.kill("SIGINT");
    });
    return stopping;
  };
}
