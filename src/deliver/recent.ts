import type { OutboxEntry } from "./journal-lines.js";

/** Per entry beyond its body: headers, strings and the map's own share, roughly. */
const OVERHEAD = 512;

/**
 * The oldest pending entries, kept as they were accepted, up to a byte budget: with a target that
 * keeps up, the worker sends what just arrived without reading it back and parsing it again. A long
 * queue fills the budget and the rest is read from the journal, so memory stays flat.
 */
export class RecentEntries {
  private readonly entries = new Map<number, OutboxEntry>();
  private bytes = 0;

  constructor(private readonly budget = 4 * 1024 * 1024) {}

  add(entry: OutboxEntry): void {
    const size = entry.body.length + OVERHEAD;
    if (this.bytes + size > this.budget) return;
    this.entries.set(entry.seq, entry);
    this.bytes += size;
  }

  get(seq: number): OutboxEntry | undefined {
    return this.entries.get(seq);
  }

  delete(seq: number): void {
    const entry = this.entries.get(seq);
    if (!entry) return;
    this.entries.delete(seq);
    this.bytes -= entry.body.length + OVERHEAD;
  }
}
