import { createReadStream, existsSync, mkdirSync } from "node:fs";
import { type FileHandle, open, rename } from "node:fs/promises";
import { join } from "node:path";
import { createInterface } from "node:readline";
import type { DeliveryRecord, RequestRecord } from "../events/types.js";
import { redactHeaders } from "../redact.js";
import type { History, HistoryLimits } from "./history.js";

/** A request line and a delivery-attempt line of the history file (NDJSON, bodies in base64). */
type Line =
  | ({ t: "r"; receivedAt: string; bodyBase64: string; response?: AnswerLine } & Omit<
      RequestRecord,
      "receivedAt" | "body" | "headers" | "response"
    > & { headers: [string, string][] })
  | ({ t: "d"; n: number } & DeliveryRecord);

interface AnswerLine {
  status: number;
  headers: [string, string][];
  bodyBase64: string;
  truncated: boolean;
}

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
      const text = batch.map((line) => (typeof line === "string" ? line : requestLine(line))).join("\n");
      await this.handle?.write(`${text}\n`);
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

function bodyBytes(record: RequestRecord): number {
  return record.body.length + (record.response?.body.length ?? 0);
}

function requestLine(r: RequestRecord): string {
  const { body, headers, response, receivedAt, ...rest } = r;
  const line: Record<string, unknown> = {
    t: "r",
    ...rest,
    receivedAt: receivedAt.toISOString(),
    headers: Object.entries(redactHeaders(headers)),
    bodyBase64: Buffer.from(body).toString("base64"),
  };
  if (response) {
    line.response = {
      status: response.status,
      headers: Object.entries(redactHeaders(response.headers)),
      bodyBase64: Buffer.from(response.body).toString("base64"),
      truncated: response.truncated,
    };
  }
  return JSON.stringify(line);
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

function withoutTag(line: Extract<Line, { t: "d" }>): DeliveryRecord {
  const { t: _t, n: _n, ...delivery } = line;
  return delivery;
}

/** A line, when it has the shape of one (a torn last line, or a foreign one, is skipped). */
function parseLine(text: string): Line | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== "object" || value === null) return undefined;
  const line = value as Record<string, unknown>;
  if (line.t === "d" && typeof line.n === "number" && typeof line.seq === "number") return line as Line;
  const ok =
    line.t === "r" &&
    typeof line.n === "number" &&
    typeof line.method === "string" &&
    typeof line.path === "string" &&
    typeof line.bodyBase64 === "string" &&
    Array.isArray(line.headers) &&
    !Number.isNaN(Date.parse(String(line.receivedAt)));
  return ok ? (line as Line) : undefined;
}

function fromLine(line: Extract<Line, { t: "r" }>): RequestRecord {
  const { t: _t, bodyBase64, receivedAt, response, ...rest } = line;
  const record: RequestRecord = {
    ...rest,
    receivedAt: new Date(receivedAt),
    body: Buffer.from(bodyBase64, "base64"),
    response: undefined,
  };
  if (response && typeof response.bodyBase64 === "string") {
    record.response = {
      status: response.status,
      headers: response.headers,
      body: Buffer.from(response.bodyBase64, "base64"),
      truncated: response.truncated === true,
    };
  }
  return record;
}
