import { accessSync, constants, existsSync, renameSync, rmSync } from "node:fs";
import { delimiter, join } from "node:path";
import { TunnelError } from "./tunnel.js";

export interface BinaryOptions {
  /** --cloudflared */
  explicit?: string;
  env: NodeJS.ProcessEnv;
  /** Called before a download starts (the command shows a spinner). */
  onInstall?: (path: string) => void;
  installTimeoutMs?: number;
}

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function onPath(env: NodeJS.ProcessEnv): string | undefined {
  const names = process.platform === "win32" ? ["cloudflared.exe"] : ["cloudflared"];
  for (const dir of (env.PATH ?? "").split(delimiter).filter(Boolean)) {
    for (const name of names) {
      const candidate = join(dir, name);
      if (executable(candidate)) return candidate;
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
    if (!existsSync(explicit)) {
      const from = options.explicit ? "--cloudflared" : "CLOUDFLARED_BIN";
      throw new TunnelError(`${from}: ${explicit} does not exist`, "fix the path, or use --no-tunnel", []);
    }
    return explicit;
  }
  const found = onPath(options.env);
  if (found) return found;
  // Loaded only here: the package reads CLOUDFLARED_BIN at import time, and most runs never need it.
  const pkg = await import("cloudflared");
  const managed = pkg.DEFAULT_CLOUDFLARED_BIN;
  if (executable(managed)) return managed;
  options.onInstall?.(managed);
  return install(pkg.install, managed, options.installTimeoutMs ?? 120_000);
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
