import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from "node:fs";
import { join } from "node:path";
import { StartError } from "../errors.js";

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else, so it is alive.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

function tryCreate(path: string): boolean {
  try {
    const fd = openSync(path, "wx", 0o600);
    writeSync(fd, `${process.pid}\n`);
    closeSync(fd);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw error;
  }
}

function holder(path: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(path, "utf8"), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * One process per data dir: two workers draining one outbox would deliver everything twice and out of
 * order. The lock file holds the owner's pid; a lock left by a process that died (kill -9) is taken over.
 * Returns the release function.
 */
export function acquireLock(dir: string, name: string, what: string): () => void {
  const path = join(dir, name);
  for (let attempt = 0; attempt < 3; attempt += 1) {
    if (tryCreate(path)) {
      let released = false;
      return () => {
        if (released) return;
        released = true;
        try {
          unlinkSync(path);
        } catch {
          // Already gone: nothing to release.
        }
      };
    }
    const pid = holder(path);
    if (pid !== undefined && pid !== process.pid && alive(pid)) {
      throw new StartError(
        `${what}: ${dir} is in use by another hook (pid ${pid})`,
        `stop that one first, or give this one its own --data-dir; if no hook is running, delete ${path}`,
      );
    }
    try {
      unlinkSync(path);
    } catch {
      // Someone else took the stale lock over at the same moment; the next attempt tells.
    }
  }
  throw new StartError(
    `${what}: could not take the lock ${path}`,
    "is another hook starting at the same time?",
  );
}
