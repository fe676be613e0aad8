import { Exit, HookError } from "../errors.js";
import { acquireFileLock } from "../store/lock.js";

/** One `hook poll` per state file: a second run exits 75 (EX_TEMPFAIL) at once, and cron tries again. */
export function acquirePollLock(path: string, now: () => Date = () => new Date()): () => void {
  return acquireFileLock(path, {
    now,
    held: (who, lockPath) =>
      new HookError(`poll: another hook poll is running (${who}): lock ${lockPath}`, {
        exitCode: Exit.lockHeld,
        hint: "this run stops so the two do not deliver the same events; cron will try again",
      }),
  });
}
