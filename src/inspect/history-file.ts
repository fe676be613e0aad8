import { createReadStream, existsSync, mkdirSync } from "node:fs";
import { type FileHandle, open, rename } from "node:fs/promises";
import { join } from "node:path";
import { createInterface } from "node:readline";
import type { DeliveryRecord, RequestRecord } from "../events/types.js";
import { ChunkWriter } from "../store/chunk-writer.js";
import type { History, HistoryLimits } from "./history.js";
import { fromLine, parseLine, requestLine, withoutTag } from "./history-lines.js";

/**
 * Batches are written this often: the file is a convenience, not the outbox, so no fsync per request.
 * A batch only writes what the history keeps (its newest `count`), so under a burst the disk work per
 * second is bounded, however many requests arrive.
 */
const FLUSH_MS = 1_000;

/**
 * The inspector's history on disk, under the data dir: `inspect/history.ndjson`, appended in batches,
 * and `history.1.ndjson`, the one before. When the current file holds the limit in requests or bytes it
 * becomes the previous one, so the disk holds at most twice the limits and no compaction is ever needed.
 * Secret headers are redacted before they are written, as in fixtures.
 */
export class HistoryFile {
  private handle: FileHandle | undefined;
  /** Records are serialised when the batch is written, not on the request's own path. */
  private queue: (RequestRecord | string)[] = [];
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();
  private requests = 0;
  private bytes = 0;
  private closed = false;
  private readonly writer = new ChunkWriter();

  private constructor(
    readonly dir: string,
    private readonly limits: HistoryLimits,
  ) {}

  get path(): string {
    return join(this.dir, "history.ndjson");
  }

  /** Reads both files into `history` (oldest first; the limits drop what is too old) and opens for append. */
  static async open(
    dataDir: string,
    history: History,
  ): Promise<{ file: HistoryFile; damaged: number; lastNumber: number }> {
    const dir = join(dataDir, "inspect");
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const file = new HistoryFile(dir, history.limits);
    let damaged = 0;
    let lastNumber = 0;
    for (const name of ["history.1.ndjson", "history.ndjson"]) {
      const path = join(dir, name);
      if (!existsSync(path)) continue;
      const read = await readInto(path, history, name === "history.ndjson" ? file : undefined);
      damaged += read.damaged;
      lastNumber = Math.max(lastNumber, read.lastNumber);
    }
    file.handle = await open(file.path, "a", 0o600);
    return { file, damaged, lastNumber };
  }

  record(record: RequestRecord): void {
    if (this.closed) return;
    this.push(record);
  }

  delivery(n: number, delivery: DeliveryRecord): void {
    if (this.closed) return;
    this.push(JSON.stringify({ t: "d", n, ...delivery }));
  }

  /** Counts a request the current file holds, so rotation keeps the limits across restarts too. */
  counted(bytes: number): void {
    this.requests += 1;
    this.bytes += bytes;
  }

  private push(line: RequestRecord | string): void {
    this.queue.push(line);
    this.timer ??= setTimeout(() => void this.flush(), FLUSH_MS).unref();
  }

  /** Writes what is queued; resolves when it is on its way to disk. */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const batch = newest(this.queue, this.limits);
    this.queue = [];
    if (batch.length === 0) return this.writing;
    for (const line of batch) if (typeof line !== "string") this.counted(bodyBytes(line));
    const rotate = this.requests >= this.limits.count || this.bytes >= this.limits.bytes;
    this.writing = this.writing.then(async () => {
      const handle = this.handle;
      // Serialised one record at a time as the writer takes them: never a string of the whole batch.
      if (handle) await this.writer.write((data) => handle.write(data), lines(batch));
      if (rotate) await this.rotate();
    });
    if (rotate) {
      this.requests = 0;
      this.bytes = 0;
    }
    // A full disk loses some history, never the receiver: the next batch tries again.
    this.writing = this.writing.catch(() => undefined);
    return this.writing;
  }

  private async rotate(): Promise<void> {
    await this.handle?.close();
    await rename(this.path, join(this.dir, "history.1.ndjson"));
    this.handle = await open(this.path, "a", 0o600);
  }

  /** Writes the rest and closes. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return this.writing;
    await this.flush();
    this.closed = true;
    await this.writing;
    await this.handle?.close().catch(() => undefined);
    this.handle = undefined;
  }
}

/** The tail of the queue that fits the limits: older records would fall off the history anyway. */
function newest(queue: (RequestRecord | string)[], limits: HistoryLimits): (RequestRecord | string)[] {
  let count = 0;
  let bytes = 0;
  for (let i = queue.length - 1; i >= 0; i -= 1) {
    const line = queue[i] as RequestRecord | string;
    if (typeof line === "string") continue;
    count += 1;
    bytes += bodyBytes(line);
    if (count > limits.count || (bytes > limits.bytes && count > 1)) return queue.slice(i + 1);
  }
  return queue;
}

function* lines(batch: (RequestRecord | string)[]): Generator<string> {
  for (const line of batch) yield typeof line === "string" ? line : requestLine(line);
}

function bodyBytes(record: RequestRecord): number {
  return record.body.length + (record.response?.body.length ?? 0);
}

/** Streams one file into the history, line by line (it can be hundreds of megabytes). */
async function readInto(
  path: string,
  history: History,
  current: HistoryFile | undefined,
): Promise<{ damaged: number; lastNumber: number }> {
  let damaged = 0;
  let lastNumber = 0;
  const lines = createInterface({
    input: createReadStream(path, "utf8"),
    crlfDelay: Number.POSITIVE_INFINITY,
  });
  for await (const text of lines) {
    if (text.trim() === "") continue;
    const record = parseLine(text);
    if (!record) {
      damaged += 1;
      continue;
    }
    if (record.t === "d") {
      history.get(record.n)?.deliveries.push(withoutTag(record));
      continue;
    }
    const restored = fromLine(record);
    if (restored.n <= lastNumber) continue;
    lastNumber = restored.n;
    history.add(restored, true);
    current?.counted(bodyBytes(restored));
  }
  return { damaged, lastNumber };
}
