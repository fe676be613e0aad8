import {
  accessSync,
  closeSync,
  constants,
  existsSync,
  openSync,
  readSync,
  realpathSync,
  renameSync,
  rmSync,
} from "node:fs";
import { delimiter, join, sep } from "node:path";
import { TunnelError } from "./tunnel.js";

interface BinaryOptions {
  /** --cloudflared */
  explicit?: string;
  env: NodeJS.ProcessEnv;
  /** Called before a download starts (the command shows a spinner). */
  onInstall?: (path: string) => void;
  installTimeoutMs?: number;
  /** The npm package's managed copy and its installer (tests pass a stand-in: no download). */
  managed?: () => Promise<{ path: string; install: (to: string) => Promise<string> }>;
}

/** The cloudflared npm package's managed copy, loaded only when needed. */
async function packageCopy() {
  // The package reads CLOUDFLARED_BIN at import time, and most runs never need it.
  const pkg = await import("cloudflared");
  return { path: pkg.DEFAULT_CLOUDFLARED_BIN, install: pkg.install };
}

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * The cloudflared npm package puts a JavaScript launcher named `cloudflared` in node_modules/.bin,
 * which npx and npm scripts put on PATH. It is not the binary: without the managed copy it exits 0 at
 * once, which would read as a tunnel that stopped for no reason. A script inside any copy of that
 * package is the launcher; the binary it manages (node_modules/cloudflared/bin/) is a real one.
 */
export function isPackageLauncher(path: string): boolean {
  let real: string;
  try {
    real = realpathSync(path);
  } catch {
    return false;
  }
  if (!real.includes(`${sep}node_modules${sep}cloudflared${sep}`)) return false;
  const head = Buffer.alloc(2);
  try {
    const fd = openSync(real, "r");
    try {
      readSync(fd, head, 0, 2, 0);
    } finally {
      closeSync(fd);
    }
  } catch {
    return false;
  }
  return head.toString("latin1") === "#!";
}

function onPath(env: NodeJS.ProcessEnv): string | undefined {
  const names = process.platform === "win32" ? ["cloudflared.exe"] : ["cloudflared"];
  for (const dir of (env.PATH ?? "").split(delimiter).filter(Boolean)) {
    for (const name of names) {
      const candidate = join(dir, name);
      if (executable(candidate) && !isPackageLauncher(candidate)) return candidate;
    }
  }
  return undefined;
}

/**
 * The cloudflared to run: --cloudflared, CLOUDFLARED_BIN, PATH, then the npm package's managed copy,
 * downloaded on first use. An explicit path that does not exist is an error, not a reason to download.
 */
export async function findCloudflared(options: BinaryOptions): Promise<string> {
  const explicit = options.explicit ?? options.env.CLOUDFLARED_BIN;
  if (explicit) {
    const from = options.explicit ? "--cloudflared" : "CLOUDFLARED_BIN";
    if (!existsSync(explicit)) {
      throw new TunnelError(`${from}: ${explicit} does not exist`, "fix the path, or use --no-tunnel", []);
    }
    if (isPackageLauncher(explicit)) {
      throw new TunnelError(
        `${from}: ${explicit} is the cloudflared npm package's JavaScript launcher, not the cloudflared binary`,
        "point it at the binary itself, or leave it out and hook finds or installs one",
        [],
      );
    }
    return explicit;
  }
  const found = onPath(options.env);
  if (found) return found;
  const managed = await (options.managed ?? packageCopy)();
  if (executable(managed.path)) return managed.path;
  options.onInstall?.(managed.path);
  return install(managed.install, managed.path, options.installTimeoutMs ?? 120_000);
}

/** Downloads to a temp name first, so a broken download never leaves a half binary in place. */
async function install(
  download: (to: string) => Promise<string>,
  to: string,
  timeoutMs: number,
): Promise<string> {
  const temp = `${to}.${process.pid}.download`;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs / 1000}s`)), timeoutMs);
    timer.unref();
  });
  try {
    await Promise.race([download(temp), timeout]);
    renameSync(temp, to);
    return to;
  } catch (error) {
    rmSync(temp, { force: true });
    const err = error as NodeJS.ErrnoException;
    throw new TunnelError(
      `cloudflared is not installed and could not be downloaded: ${err.message}`,
      "install cloudflared (https://developers.cloudflare.com/cloudflare-one/connections/connect-networks/downloads/) and put it on PATH, pass --cloudflared PATH, or use --no-tunnel",
      [],
    );
  } finally {
    clearTimeout(timer);
  }
}
