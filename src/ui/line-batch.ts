/**
 * Lines joined and written together, for output at a request's rate: on a pipe or a file each write is
 * a blocking system call and a pass through the stream machinery, so 10,000 lines one by one cost more
 * than the work they report. Written at 64 KB, after `flushAfterMs` (0: once the event loop has handled
 * what is ready now, so nobody watching a log sees a delay), or on flush(). A person at a terminal sees
 * each line at once: `enabled` false writes every line as it comes.
 */
export class LineBatch {
  private lines: string[] = [];
  private size = 0;
  private timer: NodeJS.Timeout | undefined;
  private immediate: NodeJS.Immediate | undefined;

  constructor(
    private readonly write: (text: string) => void,
    private readonly enabled: boolean,
    private readonly flushAfterMs: number,
  ) {}

  add(line: string): void {
    if (!this.enabled) {
      this.write(`${line}\n`);
      return;
    }
    this.lines.push(line);
    this.size += line.length + 1;
    if (this.size >= 65_536) this.flush();
    else if (this.timer === undefined && this.immediate === undefined) {
      if (this.flushAfterMs > 0) this.timer = setTimeout(() => this.flush(), this.flushAfterMs);
      else this.immediate = setImmediate(() => this.flush());
    }
  }

  /** Writes what is held, now. Callers flush before any line of their own that must come after these. */
  flush(): void {
    // Each handle to its own clear function: clearImmediate() given a Timeout would unlink it from
    // the wrong list.
    if (this.timer !== undefined) clearTimeout(this.timer);
    if (this.immediate !== undefined) clearImmediate(this.immediate);
    this.timer = undefined;
    this.immediate = undefined;
    if (this.lines.length === 0) return;
    const text = `${this.lines.join("\n")}\n`;
    this.lines = [];
    this.size = 0;
    this.write(text);
  }
}
