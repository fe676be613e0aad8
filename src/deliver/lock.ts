import { join } from "node:path";
import { StartError } from "../errors.js";
import { acquireFileLock } from "../store/lock.js";

/**
 * One process per data dir: two workers draining one outbox would deliver everything twice and out
 * of order. A second `hook listen --durable` on the same folder cannot start (exit 3).
 */
export function acquireDataDirLock(dir: string, name: string, what: string): () => void {
  const path = join(dir, name);
  return acquireFileLock(path, {
    held: (who) =>
      new StartError(
        `${what}: ${dir} is in use by another hook (${who})`,
        `stop that one first, or give this one its own --data-dir; if no hook is running, delete ${path}`,
      ),
  });
}
