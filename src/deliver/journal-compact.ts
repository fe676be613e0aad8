import { closeSync, fsyncSync, openSync, readSync, renameSync, unlinkSync } from "node:fs";
import { dirname } from "node:path";
import { fsyncDir } from "../store/atomic.js";
import { type EntryRef, type Failures, parseLine, readLines, writeAll } from "./journal-lines.js";
import { RefQueue } from "./ref-queue.js";

/** What a journal holds, found by reading it once from start to end. */
export interface Scan {
  pending: RefQueue;
  failures: Map<number, Failures>;
  /** The next sequence number to give. */
  next: number;
  damaged: number;
  /** Bytes of whole lines: a torn last line starts here. */
  size: number;
  /** The last line is torn (a crash mid-write). */
  torn: boolean;
  /** Bytes of the pending entries' lines: the rest of the file is history. */
  liveBytes: number;
}

/** Reads the journal as a stream of lines; every line that is not a well-formed record is counted. */
export function scanJournal(fd: number): Scan {
  let accepted = new RefQueue();
  const delivered = new Set<number>();
  const failures = new Map<number, Failures>();
  // Filled in by readLines once it has read to the end.
  const end = {} as { torn: boolean; size: number };
  let next = 1;
  let damaged = 0;
  // Stryker disable next-line BooleanLiteral: sorting a queue already in order changes nothing; the flag only saves the work
  let sorted = true;
  for (const { offset, length, text } of readLines(fd, end)) {
    const line = parseLine(text);
    if (!line) damaged += 1;
    else if (line.t === "h") next = Math.max(next, line.next);
    else if (line.t === "a") {
      // Appends come in sequence order; only a hand-edited file needs the sort below.
      // Stryker disable next-line ConditionalExpression,EqualityOperator: as for `sorted` above
      if (line.seq < next) sorted = false;
      accepted.push({ seq: line.seq, offset, length });
      next = Math.max(next, line.seq + 1);
    } else if (line.t === "d") {
      delivered.add(line.seq);
      failures.delete(line.seq);
    } else failures.set(line.seq, { attempts: line.attempts, lastError: line.lastError });
  }
  if (end.torn) damaged += 1;
  // Stryker disable next-line ConditionalExpression: as for `sorted` above
  if (!sorted) accepted = new RefQueue(accepted.slice(0, accepted.size).sort((a, b) => a.seq - b.seq));
  // Stryker disable next-line ConditionalExpression: filtering out nothing gives the same queue, only slower
  const pending = delivered.size === 0 ? accepted : new RefQueue(without(accepted, delivered));
  for (const seq of failures.keys()) if (pending.indexOf(seq) < 0) failures.delete(seq);
  let liveBytes = 0;
  for (let i = 0; i < pending.size; i += 1) liveBytes += (pending.at(i) as EntryRef).length + 1;
  return { pending, failures, next, damaged, size: end.size, torn: end.torn, liveBytes };
}

function* without(queue: RefQueue, delivered: Set<number>): Generator<EntryRef> {
  for (let i = 0; i < queue.size; i += 1) {
    const ref = queue.at(i) as EntryRef;
    if (!delivered.has(ref.seq)) yield ref;
  }
}

/** Buffers small writes into large ones. */
class Writer {
  private parts: Buffer[] = [];
  private held = 0;
  size = 0;

  constructor(private readonly fd: number) {}

  push(data: Buffer): void {
    this.parts.push(data);
    // Stryker disable next-line AssignmentOperator: when the buffer is flushed does not change the bytes written
    this.held += data.length;
    this.size += data.length;
    // Stryker disable next-line all: as above
    if (this.held >= 1024 * 1024) this.flush();
  }

  flush(): void {
    const data = Buffer.concat(this.parts);
    this.parts = [];
    this.held = 0;
    writeAll(this.fd, data);
  }
}

/**
 * Writes the pending entries (their lines copied byte for byte) under a header into a new file that
 * replaces the journal, and returns where they now are: a crash at any moment leaves the old journal or the new one, and a full disk
 * leaves the old one (the start is refused rather than anything lost).
 */
export function compact(
  path: string,
  from: number,
  state: Pick<Scan, "next" | "pending" | "failures">,
): Pick<Scan, "pending" | "size"> {
  const temp = `${path}.${process.pid}.compact.tmp`;
  const fd = openSync(temp, "w", 0o600);
  const pending = new RefQueue();
  const out = new Writer(fd);
  try {
    out.push(Buffer.from(`${JSON.stringify({ t: "h", next: state.next })}\n`));
    for (let i = 0; i < state.pending.size; i += 1) {
      const ref = state.pending.at(i) as EntryRef;
      const line = Buffer.allocUnsafe(ref.length + 1);
      if (readSync(from, line, 0, ref.length, ref.offset) !== ref.length) {
        throw new Error(`the journal changed while it was compacted (entry #${ref.seq})`);
      }
      line[ref.length] = 10;
      pending.push({ seq: ref.seq, offset: out.size, length: ref.length });
      out.push(line);
      const failures = state.failures.get(ref.seq);
      if (failures) out.push(Buffer.from(`${JSON.stringify({ t: "f", seq: ref.seq, ...failures })}\n`));
    }
    out.flush();
    fsyncSync(fd);
    closeSync(fd);
  } catch (error) {
    closeSync(fd);
    unlinkSync(temp);
    throw error;
  }
  renameSync(temp, path);
  fsyncDir(dirname(path));
  return { pending, size: out.size };
}
