import { readFileSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomic } from "../store/atomic.js";
import type { Entry } from "./types.js";

/**
 * <data dir>/registrations.json: every registration hook made and has not removed yet. Written before
 * each API call, so that a run killed with -9 leaves a note the next run (or `hook unregister`) acts on.
 * Holds ids, URLs and where they live, never a secret.
 */
export class RegistrationRecord {
  readonly path: string;

  constructor(dataDir: string) {
    this.path = join(dataDir, "registrations.json");
  }

  list(): Entry[] {
    let text: string;
    try {
      text = readFileSync(this.path, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
      throw error;
    }
    try {
      const parsed = JSON.parse(text) as { registrations?: Entry[] };
      return Array.isArray(parsed.registrations) ? parsed.registrations : [];
    } catch {
      throw new Error(`${this.path} is not valid JSON: fix or delete it`);
    }
  }

  /** Adds or replaces the entry with the same ref. */
  save(entry: Entry): void {
    this.write([...this.list().filter((e) => e.ref !== entry.ref), entry]);
  }

  drop(ref: string): void {
    this.write(this.list().filter((e) => e.ref !== ref));
  }

  private write(entries: Entry[]): void {
    writeFileAtomic(this.path, `${JSON.stringify({ hook: 1, registrations: entries }, null, 2)}\n`);
  }
}

/** Whether the run that made an entry is still going: its leftovers are not ours to remove. */
export function alive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
