import { readSync, writeSync } from "node:fs";

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
  deliveryId?: string;
  /** The provider that verified it (so a later run re-signs it only for that provider). */
  provider?: string;
}

/** Where an accepted entry's line sits in the journal: all the memory a pending entry costs. */
export interface EntryRef {
  seq: number;
  offset: number;
  length: number;
}

/** Failed attempts of one entry, journaled so that `hook outbox list` and a restart see them. */
export interface Failures {
  attempts: number;
  lastError: string;
}

type AcceptedLine = { t: "a"; bodyBase64: string } & Omit<OutboxEntry, "body">;

type Line =
  | { t: "h"; next: number }
  | AcceptedLine
  | { t: "d"; seq: number; dead?: string }
  | ({ t: "f"; seq: number } & Failures);

const isSeq = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) > 0;
const isText = (value: unknown): value is string => typeof value === "string";
const optionalText = (value: unknown) => value === undefined || typeof value === "string";
const isPair = (pair: unknown) => Array.isArray(pair) && pair.length === 2 && pair.every(isText);

function isAccepted(o: Record<string, unknown>): boolean {
  return (
    isSeq(o.seq) &&
    isText(o.bodyBase64) &&
    isText(o.receivedAt) &&
    isText(o.method) &&
    isText(o.path) &&
    Array.isArray(o.headers) &&
    o.headers.every(isPair) &&
    optionalText(o.event) &&
    optionalText(o.eventId) &&
    optionalText(o.deliveryId) &&
    optionalText(o.provider)
  );
}

/**
 * A journal line, or undefined when it is not one: torn JSON, or valid JSON of another shape (`null`,
 * `[]`, `{}`, `42`, an "accepted" without a body). Every line is checked, so none can crash a start.
 */
export function parseLine(text: string): Line | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
  const o = value as Record<string, unknown>;
  switch (o.t) {
    case "h":
      return isSeq(o.next) ? (o as Line) : undefined;
    case "a":
      return isAccepted(o) ? (o as Line) : undefined;
    case "d":
      return isSeq(o.seq) && optionalText(o.dead) ? (o as Line) : undefined;
    case "f":
      return isSeq(o.seq) && isSeq(o.attempts) && isText(o.lastError) ? (o as Line) : undefined;
    default:
      return undefined;
  }
}

export function encodeEntry(entry: OutboxEntry): string {
  const { body, ...rest } = entry;
  return `${JSON.stringify({ t: "a", ...rest, bodyBase64: Buffer.from(body).toString("base64") })}\n`;
}

function decodeEntry(line: AcceptedLine): OutboxEntry {
  const { t: _t, bodyBase64, ...rest } = line;
  return { ...rest, body: Buffer.from(bodyBase64, "base64") };
}

// Stryker disable next-line ArithmeticOperator: the read size changes how fast a journal is read, not what is read
const CHUNK = 1024 * 1024;

/**
 * The file's lines as (offset, length, text), read a chunk at a time: a journal of a million pending
 * entries is gigabytes, far past the longest string V8 can make. When the last piece does not end in a
 * newline it is a torn write: `torn`, and `size` (the bytes of whole lines) is where it starts.
 */
export function* readLines(
  fd: number,
  result: { torn: boolean; size: number },
): Generator<{ offset: number; length: number; text: string }> {
  let buffer = Buffer.allocUnsafe(CHUNK);
  let filled = 0;
  // File offset of buffer[0].
  let base = 0;
  for (;;) {
    if (filled === buffer.length) {
      // A line longer than the buffer (a 10 MB body): grow it.
      const bigger = Buffer.allocUnsafe(buffer.length * 2);
      buffer.copy(bigger, 0, 0, filled);
      buffer = bigger;
    }
    const read = readSync(fd, buffer, filled, buffer.length - filled, base + filled);
    if (read === 0) break;
    filled += read;
    const view = buffer.subarray(0, filled);
    let start = 0;
    for (let nl = view.indexOf(10, start); nl >= 0; nl = view.indexOf(10, start)) {
      if (nl > start)
        yield { offset: base + start, length: nl - start, text: view.toString("utf8", start, nl) };
      start = nl + 1;
    }
    buffer.copy(buffer, 0, start, filled);
    filled -= start;
    base += start;
  }
  result.size = base;
  result.torn = filled > 0;
}

/** One accepted entry, read back from where its line is. */
export function readEntry(fd: number, ref: EntryRef): OutboxEntry {
  const buffer = Buffer.allocUnsafe(ref.length);
  // A short read (the file was cut) leaves a line without its end: not JSON, so not an entry.
  const line = parseLine(buffer.toString("utf8", 0, readSync(fd, buffer, 0, ref.length, ref.offset)));
  if (line?.t !== "a" || line.seq !== ref.seq) {
    throw new Error(`outbox entry #${ref.seq} is no longer readable at byte ${ref.offset} of the journal`);
  }
  return decodeEntry(line);
}

/** writeSync may write less than asked (a full disk): a short write must not pass for success. */
export function writeAll(fd: number, data: Buffer): void {
  let offset = 0;
  while (offset < data.length) {
    const written = writeSync(fd, data, offset, data.length - offset);
    // Stryker disable next-line all: a regular file's write returns 0 only when asked for 0 bytes; this bounds the loop should one ever not
    if (written <= 0) throw new Error("the disk accepted no more bytes (is it full?)");
    offset += written;
  }
}
