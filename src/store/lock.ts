import { closeSync, mkdirSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import { errorMessage, HookError } from "../errors.js";

interface Holder {
  pid: number;
  startedAt: string;
}

/** A lock without readable content younger than this may be a holder between create and write. */
const TORN_GRACE_MS = 10_000;

interface LockOptions {
  now?: () => Date;
  /** The error to throw when a live process holds the lock; `who` describes the holder. */
  held: (who: string, path: string) => HookError;
}

/**
 * One process per lock file: two `hook poll` runs on one state file, or two `hook listen --durable`
 * on one outbox, would deliver the same events twice. The lock is created with O_EXCL and holds the
 * owner's pid and start time; a lock whose pid is no longer alive (kill -9, a reboot) is taken over.
 * Returns the release function (idempotent).
 */
export function acquireFileLock(path: string, options: LockOptions): () => void {
  const now = options.now ?? (() => new Date());
  const held = (holder: Holder | undefined) =>
    options.held(holder ? `pid ${holder.pid}, started ${holder.startedAt}` : "holder unknown", path);
  mkdirSync(dirname(path), { recursive: true });
  const mine: Holder = { pid: process.pid, startedAt: now().toISOString() };
  for (let attempt = 0; attempt < 3; attempt += 1) {
    if (tryCreate(path, mine)) return releaser(path, mine);
    const holder = readHolder(path);
    if (holder === "gone") continue;
    if (holder === undefined ? !tornAndOld(path, now()) : holds(holder)) throw held(holder);
    removeStale(path, holder, now());
  }
  throw held(undefined);
}

/**
 * Removes a dead holder's lock under a short-lived second lock. Without it, two starters that both
 * read the dead holder could each remove a lock: the second would remove the first one's fresh lock,
 * and both would run.
 */
function removeStale(path: string, stale: Holder | undefined, now: Date): void {
  const mutex = `${path}.takeover`;
  let fd: number;
  try {
    fd = openSync(mutex, "wx", 0o600);
  } catch {
    // Someone is taking over right now; a takeover lock older than the grace is a crashed one.
    if (tornAndOld(mutex, now)) unlinkSafe(mutex);
    return;
  }
  closeSync(fd);
  try {
    const current = readHolder(path);
    const same =
      typeof current === "object" && stale !== undefined
        ? current.pid === stale.pid && current.startedAt === stale.startedAt
        : current === undefined && stale === undefined;
    if (same) unlinkSafe(path);
  } finally {
    unlinkSafe(mutex);
  }
}

function unlinkSafe(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // Already gone.
  }
}

function tryCreate(path: string, holder: Holder): boolean {
  let fd: number;
  try {
    fd = openSync(path, "wx", 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw new HookError(`cannot create lock ${path}: ${errorMessage(error)}`);
  }
  try {
    writeSync(fd, `${JSON.stringify(holder)}\n`);
  } finally {
    closeSync(fd);
  }
  return true;
}

function readHolder(path: string): Holder | undefined | "gone" {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    return "gone";
  }
  try {
    const parsed = JSON.parse(text) as Holder;
    return Number.isInteger(parsed.pid) && parsed.pid > 0 ? parsed : undefined;
  } catch {
    return undefined;
  }
}

function tornAndOld(path: string, now: Date): boolean {
  try {
    return now.getTime() - statSync(path).mtimeMs > TORN_GRACE_MS;
  } catch {
    return true;
  }
}

/** The holder is alive and is the process that wrote the lock (not a later one given the same pid). */
function holds(holder: Holder): boolean {
  if (!alive(holder.pid)) return false;
  const proc = procStat(holder.pid);
  // A killed holder whose parent has not reaped it yet still answers kill(pid, 0).
  if (proc?.state === "Z") return false;
  const started = proc?.startedAt;
  const written = Date.parse(holder.startedAt);
  // After a reboot, pids start again from low numbers: a live pid that started after the lock was
  // written is somebody else. A few seconds of slack absorb clock-tick rounding.
  return started === undefined || Number.isNaN(written) || started <= written + 5000;
}

/** A process's state letter and start time (ms since epoch), from /proc on Linux; undefined elsewhere. */
export function procStat(pid: number): { state: string; startedAt?: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the ")" that ends the name: [0] is field 3 (state), [19] is field 22 (starttime,
    // in clock ticks since boot; USER_HZ is 100 on Linux).
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const ticks = Number(fields[19]);
    const boot = Number(/^btime (\d+)$/m.exec(readFileSync("/proc/stat", "utf8"))?.[1]);
    const startedAt = Number.isFinite(ticks) && Number.isFinite(boot) ? boot * 1000 + ticks * 10 : undefined;
    return { state: fields[0] ?? "", startedAt };
  } catch {
    return undefined;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to another user, so it is alive.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * The release function, also run when the process exits by any other way than returning (a reader
 * that closed the pipe, a second Ctrl-C, an uncaught error: each ends in process.exit): a lock left
 * behind by a live-looking pid would make every later run wait or exit 75. kill -9 is the one exit
 * no code sees; the dead-pid takeover covers it.
 */
function releaser(path: string, mine: Holder): () => void {
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    process.off("exit", release);
    const current = readHolder(path);
    // Never remove a lock that is no longer ours (it was taken over while we hung).
    if (typeof current === "object" && current.pid === mine.pid && current.startedAt === mine.startedAt) {
      unlinkSafe(path);
    }
  };
  process.once("exit", release);
  return release;
}
