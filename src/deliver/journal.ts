import { closeSync, fdatasync, ftruncateSync, mkdirSync, openSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { compact, type Scan, scanJournal } from "./journal-compact.js";
import {
  type EntryRef,
  encodeEntry,
  type Failures,
  type OutboxEntry,
  readEntry,
  writeAll,
} from "./journal-lines.js";
import { RecentEntries } from "./recent.js";
import { RefQueue } from "./ref-queue.js";

export type { EntryRef, Failures, OutboxEntry } from "./journal-lines.js";

/** When nothing is pending and the file is bigger than this, it is replaced by a header. */
const RESET_BYTES = 8 * 1024 * 1024;

const datasync = promisify(fdatasync);

interface Waiting {
  entry: OutboxEntry;
  data: Buffer;
  resolve: (ref: EntryRef) => void;
  reject: (error: unknown) => void;
}

interface Opened {
  journal: Journal;
  /** Still to deliver, in order: where each line is, not its body (that stays on disk). */
  pending: RefQueue;
  /** Failed attempts so far of pending entries. */
  failures: Map<number, Failures>;
  /** Lines skipped: torn, not JSON, or JSON of another shape. */
  damaged: number;
}

/**
 * The durable outbox: an append-only NDJSON journal of "accepted", "failed", "delivered" records. An
 * accept resolves only after its line is fsynced; accepts that arrive while an fsync runs share the
 * next one (group commit). Every write is synchronous and counted at once, so the byte count always
 * matches the file, and cutting a short write back can never cut an accepted line; only the fsync
 * waits off the main thread. Bodies stay in the file: memory holds where each pending line is.
 */
export class Journal {
  readonly path: string;
  private fd: number;
  private nextSeq: number;
  private live: number;
  private bytes: number;
  private waiting: Waiting[] = [];
  private syncing: Promise<void> | undefined;
  private closed = false;
  private readonly recent = new RecentEntries();

  private constructor(
    path: string,
    fd: number,
    scan: Scan,
    private readonly resetBytes: number,
  ) {
    this.path = path;
    this.fd = fd;
    this.nextSeq = scan.next;
    this.live = scan.pending.size;
    this.bytes = scan.size;
  }

  /** Opens the journal in `dir` (compacting it when most of it is delivered), with what is pending. */
  static async open(dir: string, resetBytes = RESET_BYTES): Promise<Opened> {
    mkdirSync(dir, { recursive: true });
    const path = join(dir, "outbox.ndjson");
    let fd = openSync(path, "a+", 0o600);
    let scan: Scan;
    try {
      scan = scanJournal(fd);
      // A torn last line (a crash mid-write): cut it, or the next append would glue onto it.
      if (scan.torn) ftruncateSync(fd, scan.size);
      // Mostly history: copy what is pending into a new file. Otherwise the file is kept as it is, so a
      // start with a million pending does not first rewrite gigabytes.
      if (scan.size - scan.liveBytes > Math.max(resetBytes, scan.liveBytes)) {
        scan = { ...scan, ...compact(path, fd, scan) };
        closeSync(fd);
        fd = openSync(path, "a+", 0o600);
      }
    } catch (error) {
      closeSync(fd);
      throw error;
    }
    const journal = new Journal(path, fd, scan, resetBytes);
    return { journal, pending: scan.pending, failures: scan.failures, damaged: scan.damaged };
  }

  get pendingCount(): number {
    return this.live;
  }

  /** Gives the request its sequence number and resolves, with where it is, once it is on disk. */
  accept(entry: Omit<OutboxEntry, "seq">): Promise<EntryRef> {
    if (this.closed) return Promise.reject(new Error("the outbox is closed"));
    const seq = this.nextSeq++;
    this.live += 1;
    const full = { ...entry, seq };
    const data = Buffer.from(encodeEntry(full));
    return new Promise((resolve, reject) => {
      this.waiting.push({ entry: full, data, resolve, reject });
      if (!this.syncing) this.commit();
    });
  }

  /** The entry's body and headers: as accepted when it is among the first pending, else from the file. */
  read(ref: EntryRef): OutboxEntry {
    return this.recent.get(ref.seq) ?? readEntry(this.fd, ref);
  }

  /**
   * Marks a delivery done. Written at once (a kill -9 right after cannot lose it, so only the delivery
   * in flight can repeat) but not fsynced: a power cut may lose it, which means one redelivery, never
   * a loss. Its "accepted" line is already on disk, so order cannot invert.
   */
  delivered(seq: number): void {
    this.recent.delete(seq);
    this.done({ t: "d", seq });
  }

  /** The entry went to dead/ as `file`. */
  deadLettered(seq: number, file: string): void {
    this.recent.delete(seq);
    this.done({ t: "d", seq, dead: file });
  }

  /** An attempt failed: kept so a restart and `hook outbox list` know how often and why. */
  failed(seq: number, failures: Failures): void {
    this.note({ t: "f", seq, ...failures });
  }

  private done(line: object): void {
    this.live -= 1;
    this.note(line);
    if (this.live === 0 && this.waiting.length === 0 && !this.syncing && this.bytes > this.resetBytes) {
      this.reset();
    }
  }

  /** A small record, written now; a failure costs a redelivery or a lost count, never an entry. */
  private note(line: object): void {
    if (this.closed) return;
    const data = Buffer.from(`${JSON.stringify(line)}\n`);
    try {
      writeAll(this.fd, data);
      this.bytes += data.length;
    } catch {
      this.cutBack(this.bytes);
    }
  }

  /** Writes everything waiting in one go, then one fsync for all of it. */
  private commit(): void {
    const batch = this.waiting;
    this.waiting = [];
    const start = this.bytes;
    const data = batch.length === 1 ? (batch[0] as Waiting).data : Buffer.concat(batch.map((w) => w.data));
    try {
      writeAll(this.fd, data);
    } catch (error) {
      // Not all on disk: nobody in this batch gets a 202, and the partial tail goes.
      this.cutBack(start);
      this.reject(batch, error);
      return;
    }
    this.bytes = start + data.length;
    this.syncing = datasync(this.fd).then(
      () => this.resolve(batch, start),
      (error: unknown) => {
        // On the disk maybe, but not known to be: refused, and marked so no later start delivers it
        // behind the sender's own retry.
        for (const w of batch) this.note({ t: "d", seq: w.entry.seq });
        this.reject(batch, error);
      },
    );
  }

  private resolve(batch: Waiting[], start: number): void {
    let offset = start;
    for (const w of batch) {
      this.recent.add(w.entry);
      w.resolve({ seq: w.entry.seq, offset, length: w.data.length - 1 });
      offset += w.data.length;
    }
    this.afterSync();
  }

  private reject(batch: Waiting[], error: unknown): void {
    this.live -= batch.length;
    for (const w of batch) w.reject(error);
    if (this.syncing) this.afterSync();
  }

  private afterSync(): void {
    this.syncing = undefined;
    if (this.waiting.length > 0) this.commit();
  }

  private cutBack(size: number): void {
    try {
      ftruncateSync(this.fd, size);
    } catch {
      // The next start skips a torn line with a warning.
    }
  }

  /** Nothing pending: start the file over so a long session does not grow it forever. */
  private reset(): void {
    try {
      const { size } = compact(this.path, this.fd, {
        next: this.nextSeq,
        pending: new RefQueue(),
        failures: new Map(),
      });
      const fd = openSync(this.path, "a+", 0o600);
      closeSync(this.fd);
      this.fd = fd;
      this.bytes = size;
    } catch {
      // The old file stays; the next start compacts it.
    }
  }

  /** Waits for every write to reach the disk, then closes. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    while (this.syncing) await this.syncing;
    closeSync(this.fd);
  }
}
