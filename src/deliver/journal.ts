import { existsSync, ftruncateSync, mkdirSync, readFileSync, writeSync } from "node:fs";
import { type FileHandle, open } from "node:fs/promises";
import { join } from "node:path";
import { writeFileAtomic } from "../store/atomic.js";

/** One accepted request, as the outbox keeps it until the target has taken it. */
export interface OutboxEntry {
  seq: number;
  receivedAt: string;
  method: string;
  path: string;
  headers: [string, string][];
  body: Uint8Array;
  event?: string;
  eventId?: string;
}

type Line =
  | { t: "h"; next: number }
  | ({ t: "a"; bodyBase64: string } & Omit<OutboxEntry, "body">)
  | { t: "d"; seq: number };

/** When nothing is pending and the file is bigger than this, it is truncated to a header. */
const RESET_BYTES = 8 * 1024 * 1024;

function encode(entry: OutboxEntry): string {
  const { body, ...rest } = entry;
  return `${JSON.stringify({ t: "a", ...rest, bodyBase64: Buffer.from(body).toString("base64") })}\n`;
}

/** Reads a journal, tolerating a torn last line (a crash in the middle of a write). */
function replay(text: string): { pending: OutboxEntry[]; next: number; damaged: number } {
  const accepted = new Map<number, OutboxEntry>();
  let next = 1;
  let damaged = 0;
  for (const raw of text.split("\n")) {
    if (raw.trim() === "") continue;
    let line: Line;
    try {
      line = JSON.parse(raw) as Line;
    } catch {
      damaged += 1;
      continue;
    }
    if (line.t === "h") next = Math.max(next, line.next);
    else if (line.t === "d") accepted.delete(line.seq);
    else if (line.t === "a") {
      const { t: _t, bodyBase64, ...rest } = line;
      accepted.set(line.seq, { ...rest, body: Buffer.from(bodyBase64, "base64") });
      next = Math.max(next, line.seq + 1);
    }
  }
  const pending = [...accepted.values()].sort((a, b) => a.seq - b.seq);
  return { pending, next, damaged };
}

/**
 * The durable outbox: an append-only NDJSON journal of "accepted" and "delivered" records. An accept
 * resolves only after its line is fsynced; accepts that arrive while a sync runs share the next one
 * (group commit), so many concurrent webhooks cost one fsync, not one each. Compacted on open.
 */
export class Journal {
  readonly path: string;
  private handle: FileHandle;
  private nextSeq: number;
  private live: number;
  private bytes: number;
  private buffer: string[] = [];
  private waiters: { resolve: () => void; reject: (error: unknown) => void }[] = [];
  private flushing: Promise<void> | undefined;
  private closed = false;

  private constructor(
    path: string,
    handle: FileHandle,
    nextSeq: number,
    live: number,
    bytes: number,
    private readonly resetBytes: number,
  ) {
    this.path = path;
    this.handle = handle;
    this.nextSeq = nextSeq;
    this.live = live;
    this.bytes = bytes;
  }

  /** Opens (and compacts) the journal in `dir`; returns it with the entries still to deliver. */
  static async open(
    dir: string,
    resetBytes = RESET_BYTES,
  ): Promise<{ journal: Journal; pending: OutboxEntry[]; damaged: number }> {
    mkdirSync(dir, { recursive: true });
    const path = join(dir, "outbox.ndjson");
    const text = existsSync(path) ? readFileSync(path, "utf8") : "";
    const { pending, next, damaged } = replay(text);
    const compacted = `${JSON.stringify({ t: "h", next })}\n${pending.map(encode).join("")}`;
    writeFileAtomic(path, compacted);
    const handle = await open(path, "a");
    const journal = new Journal(path, handle, next, pending.length, Buffer.byteLength(compacted), resetBytes);
    return { journal, pending, damaged };
  }

  get pendingCount(): number {
    return this.live;
  }

  /** Gives the request its sequence number and resolves once it is on disk. */
  async accept(entry: Omit<OutboxEntry, "seq">): Promise<OutboxEntry> {
    if (this.closed) throw new Error("the outbox is closed");
    const full: OutboxEntry = { ...entry, seq: this.nextSeq++ };
    this.live += 1;
    try {
      await this.write(encode(full));
    } catch (error) {
      this.live -= 1;
      throw error;
    }
    return full;
  }

  /**
   * Marks a delivery done. Written at once (a small synchronous append, so a kill -9 right after cannot
   * lose it and only the delivery in flight can repeat) but not fsynced: a power cut may lose it, which
   * means one redelivery, never a loss. Its "accepted" line is already on disk, so order cannot invert.
   */
  delivered(seq: number): void {
    this.live -= 1;
    if (this.closed) return;
    const line = `${JSON.stringify({ t: "d", seq })}\n`;
    try {
      const written = writeSync(this.handle.fd, line);
      // A short write (disk full) would leave half a line for the next append to glue onto: cut it.
      if (written < line.length) ftruncateSync(this.handle.fd, this.bytes);
      else this.bytes += written;
    } catch {
      // The next start redelivers it: a duplicate, not a loss.
    }
    if (this.live === 0 && this.bytes > this.resetBytes && !this.flushing) {
      // Accepts that arrive meanwhile wait in the buffer; the loop after the reset writes them.
      this.flushing = this.reset()
        .catch(() => undefined)
        .then(() => this.flushLoop());
    }
  }

  private write(line: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.buffer.push(line);
      this.waiters.push({ resolve, reject });
      this.flushing ??= this.flushLoop();
    });
  }

  private async flushLoop(): Promise<void> {
    while (this.buffer.length > 0) {
      const data = this.buffer.join("");
      const waiters = this.waiters;
      this.buffer = [];
      this.waiters = [];
      try {
        await this.writeAll(Buffer.from(data));
        await this.handle.datasync();
        this.bytes += Buffer.byteLength(data);
        for (const waiter of waiters) waiter.resolve();
      } catch (error) {
        // Not all on disk: nobody in this batch gets a 202. Cut the partial tail so the next append
        // starts on a clean line instead of gluing onto half a record.
        await this.handle.truncate(this.bytes).catch(() => undefined);
        for (const waiter of waiters) waiter.reject(error);
      }
    }
    this.flushing = undefined;
  }

  /** FileHandle.write may write less than asked (a full disk): a short write must not pass for success. */
  private async writeAll(data: Buffer): Promise<void> {
    let offset = 0;
    while (offset < data.length) {
      const { bytesWritten } = await this.handle.write(data, offset, data.length - offset);
      if (bytesWritten <= 0) throw new Error("the disk accepted no more bytes (is it full?)");
      offset += bytesWritten;
    }
  }

  /** Nothing pending: start the file over so a long session does not grow it forever. */
  private async reset(): Promise<void> {
    const header = `${JSON.stringify({ t: "h", next: this.nextSeq })}\n`;
    // Replaced, not truncated: a crash between truncate and write would leave an empty file, and the
    // next start would count sequence numbers from 1 again.
    await this.handle.close();
    try {
      writeFileAtomic(this.path, header);
      this.bytes = Buffer.byteLength(header);
    } finally {
      this.handle = await open(this.path, "a");
    }
  }

  /** Waits for every write to reach the disk, then closes. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    while (this.flushing) await this.flushing;
    await this.handle.close();
  }
}
