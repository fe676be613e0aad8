import { closeSync, existsSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { errorMessage, UsageError } from "../errors.js";
import { writeFileAtomic } from "../store/atomic.js";
import type { SourceState } from "./types.js";

const STATE_VERSION = 1;
/** Enough to cover a crash mid-page many times over, small enough to rewrite often. */
export const DELIVERED_LIMIT = 10_000;

interface StateFile extends SourceState {
  version: number;
  provider: string;
  source: string;
  pollIntervalMs?: number;
  delivered: string[];
  updatedAt: string;
}

/** One line of the journal: what happened to one item since the state file was last written. */
interface JournalEntry {
  id?: string;
  cursor?: string;
  order?: string;
  status?: string;
}

/**
 * The cursor and the delivered ids of one (provider, source). The state file is replaced atomically
 * at page boundaries; between them each handled item is appended to `<state>.journal` with one
 * write(), so a kill -9 loses nothing and repeats nothing, and a power cut repeats at most a page.
 */
export class PollState {
  readonly path: string;
  readonly journalPath: string;
  readonly data: StateFile;
  /** False on the very first run: no state file yet. */
  readonly existed: boolean;
  private readonly delivered: Set<string>;
  private journalLines = 0;
  private journalFd: number | undefined;

  private constructor(path: string, data: StateFile, existed: boolean) {
    this.path = path;
    this.existed = existed;
    this.journalPath = `${path}.journal`;
    this.data = data;
    this.delivered = new Set(data.delivered);
  }

  /** Reads the state (and its journal), or starts a fresh one. Corrupt or foreign: exit 2, never reset. */
  static load(path: string, provider: string, source: string): PollState {
    const data = existsSync(path) ? readState(path, provider, source) : emptyState(provider, source);
    const state = new PollState(path, data, existsSync(path) || existsSync(`${path}.journal`));
    // Fold a replayed journal in at once: appending to it would glue new entries onto a torn last line,
    // and a second crash would then leave that damage in the middle of the file.
    if (state.replayJournal()) state.save();
    return state;
  }

  seen(id: string): boolean {
    return this.delivered.has(id);
  }

  /** Records one handled item: journal first (one write), then memory. */
  record(entry: JournalEntry): void {
    this.journalFd ??= openSync(this.journalPath, "a", 0o600);
    writeSync(this.journalFd, `${JSON.stringify(entry)}\n`);
    this.journalLines += 1;
    this.apply(entry);
  }

  /** Folds the journal into the state file: write, fsync, rename; then the journal goes. */
  save(extra: Partial<SourceState> & { pollIntervalMs?: number } = {}): void {
    Object.assign(this.data, extra);
    this.data.delivered = [...this.delivered];
    this.data.updatedAt = new Date().toISOString();
    writeFileAtomic(this.path, `${JSON.stringify(this.data, null, 2)}\n`);
    // A crash between the rename and this removal replays entries the file already has: harmless.
    if (this.journalFd !== undefined) closeSync(this.journalFd);
    this.journalFd = undefined;
    rmSync(this.journalPath, { force: true });
    this.journalLines = 0;
  }

  get pendingJournal(): number {
    return this.journalLines;
  }

  private apply(entry: JournalEntry): void {
    if (entry.id !== undefined) {
      this.delivered.delete(entry.id);
      this.delivered.add(entry.id);
      // A Set iterates in insertion order: the first value is the oldest.
      if (this.delivered.size > DELIVERED_LIMIT)
        this.delivered.delete(this.delivered.values().next().value as string);
    }
    if (entry.cursor !== undefined) {
      this.data.cursor = entry.cursor;
      this.data.since = undefined;
    }
    if (entry.order !== undefined && entry.status !== undefined) {
      this.data.orders = { ...this.data.orders, [entry.order]: entry.status };
    }
  }

  /** Applies the journal left by a run that did not finish; true when there was one. */
  private replayJournal(): boolean {
    if (!existsSync(this.journalPath)) return false;
    const lines = readFileSync(this.journalPath, "utf8").split("\n");
    for (const [index, line] of lines.entries()) {
      if (line.trim() === "") continue;
      try {
        this.apply(JSON.parse(line) as JournalEntry);
      } catch {
        // Only the very last line can be torn (a crash mid-write); anything else is damage.
        if (index < lines.length - 1) {
          throw new UsageError(`poll: ${this.journalPath} line ${index + 1} is not valid JSON`, journalHint);
        }
      }
    }
    return true;
  }
}

const journalHint =
  "the journal records deliveries since the state file was written; inspect it before deleting";

function emptyState(provider: string, source: string): StateFile {
  return { version: STATE_VERSION, provider, source, delivered: [], updatedAt: new Date().toISOString() };
}

function readState(path: string, provider: string, source: string): StateFile {
  let parsed: unknown;
  try {
    parsed = JSON.parse(String(readFileSync(path)));
  } catch (error) {
    throw new UsageError(
      `poll: state file ${path} is unreadable or not JSON (${errorMessage(error)})`,
      "it was not reset, so nothing is skipped or repeated; fix or remove it, or pass another --state",
    );
  }
  const data = parsed as Partial<StateFile> | null;
  if (data?.version !== STATE_VERSION) {
    throw new UsageError(
      `poll: state file ${path} has version ${String(data?.version)}, expected ${STATE_VERSION}`,
      "it was written by another version of hook, or is not a hook poll state file",
    );
  }
  if (data.provider !== provider || data.source !== source) {
    throw new UsageError(
      `poll: state file ${path} belongs to ${data.provider} ${data.source}, not ${provider} ${source}`,
      "pass a different --state for each provider and source",
    );
  }
  if (!Array.isArray(data.delivered)) {
    throw new UsageError(`poll: state file ${path} has no delivered list`, "it is damaged; fix or remove it");
  }
  return data as StateFile;
}
