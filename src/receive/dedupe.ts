import { appendFileSync, mkdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { writeFileAtomic } from "../store/atomic.js";

/** Whitespace would break the one-id-a-line file: it becomes "_". */
const WHITESPACE = /\s/;
const WHITESPACE_ALL = /\s/g;

/** How many ids are remembered; older ones are forgotten at the next start. */
const KEEP = 100_000;

/**
 * Event ids and delivery ids seen in this data dir, across runs. A redelivered event is still forwarded,
 * but marked as a duplicate, because that is how the app's idempotency gets tested.
 */
export class SeenIds {
  private readonly seen = new Set<string>();
  private readonly path: string;
  private broken = false;
  /** Ids seen but not appended to the file yet. */
  private pending: string[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(dir: string) {
    this.path = join(dir, "seen-ids.txt");
    let lines: string[] = [];
    try {
      lines = readFileSync(this.path, "utf8").split("\n").filter(Boolean);
    } catch {
      // No file yet: nothing seen.
    }
    for (const line of lines.slice(-KEEP)) this.seen.add(line);
    // Forget the oldest ids now and then, so the file does not grow for ever.
    if (lines.length > 2 * KEEP) {
      try {
        writeFileAtomic(this.path, `${lines.slice(-KEEP).join("\n")}\n`);
      } catch {
        this.broken = true;
      }
    }
  }

  /** Records the ids; true when one of them was seen before. */
  check(provider: string, ids: (string | undefined)[]): boolean {
    // Plain loops: this runs for every request, with one or two ids. Seen means seen before this call.
    let duplicate = false;
    const fresh: string[] = [];
    for (const id of ids) {
      if (!id) continue;
      const key = `${provider} ${WHITESPACE.test(id) ? id.replace(WHITESPACE_ALL, "_") : id}`;
      if (this.seen.has(key)) duplicate = true;
      else fresh.push(key);
    }
    for (const key of fresh) {
      if (this.seen.has(key)) continue;
      this.seen.add(key);
      if (!this.broken) this.persist(key);
    }
    return duplicate;
  }

  /**
   * New ids are appended in batches (at most 100 ms late, and on flush()): one write for many
   * requests instead of a mkdir, an open, a write and a close for each one.
   */
  private persist(key: string): void {
    this.pending.push(key);
    this.timer ??= setTimeout(() => this.flush(), 100).unref();
  }

  /** Writes the ids not on disk yet. Called on the way out, so that the next run knows them. */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.length === 0 || this.broken) return;
    const text = `${this.pending.join("\n")}\n`;
    this.pending = [];
    try {
      try {
        appendFileSync(this.path, text);
      } catch (error) {
        // The data dir went away (or never was): make it, as before, and try once more.
        if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
        mkdirSync(dirname(this.path), { recursive: true });
        appendFileSync(this.path, text);
      }
    } catch {
      // Duplicate marking is a convenience: a read-only data dir must not stop webhooks arriving.
      this.broken = true;
    }
  }
}
