import { closeSync, openSync, readSync, rmSync, unlinkSync, writeSync } from "node:fs";

/**
 * Pages that arrive newest-first but must be delivered oldest-first (a backfill walks Stripe's list
 * backwards). Each page goes to a file as it arrives and is read back in reverse, so memory holds
 * one page, not the whole history. The file's name is removed as soon as it is open: the open
 * descriptor keeps the data, and the system frees it however the process ends (kill -9 and a closed
 * pipe included), so no run leaves a spool behind. Where an open file cannot be removed (Windows),
 * the name stays until close.
 */
export class Spool {
  private readonly fd: number;
  private readonly pages: { start: number; length: number }[] = [];
  private size = 0;

  private named: boolean;

  constructor(readonly path: string) {
    this.fd = openSync(path, "w+", 0o600);
    this.named = !unlinked(path);
  }

  /** One page of items, in the order the API listed them (newest first). */
  push(lines: string[]): void {
    if (lines.length === 0) return;
    const data = Buffer.from(`${lines.join("\n")}\n`);
    writeSync(this.fd, data, 0, data.length, this.size);
    this.pages.push({ start: this.size, length: data.length });
    this.size += data.length;
  }

  get count(): number {
    return this.pages.length;
  }

  /** Pages from the last pushed to the first, each page's lines reversed: oldest first overall. */
  *oldestFirst(): Generator<string[]> {
    for (const page of this.pages.toReversed()) {
      const buffer = Buffer.alloc(page.length);
      readSync(this.fd, buffer, 0, page.length, page.start);
      yield buffer.toString("utf8").trimEnd().split("\n").reverse();
    }
  }

  close(): void {
    closeSync(this.fd);
    if (this.named) rmSync(this.path, { force: true });
  }
}

function unlinked(path: string): boolean {
  try {
    unlinkSync(path);
    return true;
  } catch {
    return false;
  }
}
