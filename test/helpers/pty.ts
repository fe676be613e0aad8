import { type ChildProcess, spawn } from "node:child_process";
import { BIN, ROOT } from "./cli.js";

const quote = (text: string) => `'${text.replaceAll("'", `'\\''`)}'`;

/**
 * `hook ...` on a real pseudo-terminal, through util-linux `script`: stdin, stdout and stderr are a
 * TTY, so spinners run, and a Ctrl-C typed into it reaches the line discipline, which sends SIGINT
 * only while the terminal is not in raw mode. That is exactly what a person at a terminal gets.
 */
export class PtyProcess {
  readonly child: ChildProcess;
  output = "";
  readonly exited: Promise<number | null>;
  private waiters: (() => void)[] = [];

  constructor(args: string[], options: { cwd?: string; env?: Record<string, string> } = {}) {
    // A pty made by `script` from a pipe has no size; spinners need a width to redraw in place.
    const command = `stty cols 200 rows 50; exec ${[process.execPath, BIN, ...args].map(quote).join(" ")}`;
    this.child = spawn("script", ["-qfec", command, "/dev/null"], {
      cwd: options.cwd ?? ROOT,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, TERM: "xterm", ...options.env },
      stdio: ["pipe", "pipe", "pipe"],
    });
    const take = (d: Buffer) => {
      this.output += d.toString("utf8");
      for (const waiter of this.waiters.splice(0)) waiter();
    };
    this.child.stdout?.on("data", take);
    this.child.stderr?.on("data", take);
    this.exited = new Promise((resolve) => this.child.on("close", (code) => resolve(code)));
  }

  /** Resolves once `pattern` shows up in what the terminal displayed; rejects after `timeoutMs`. */
  waitFor(pattern: RegExp, timeoutMs = 15_000): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`timed out waiting for ${pattern}\n${this.output}`)),
        timeoutMs,
      );
      const check = () => {
        if (pattern.test(this.output)) {
          clearTimeout(timer);
          resolve();
        } else this.waiters.push(check);
      };
      check();
    });
  }

  /** Types Ctrl-C, as a person would. */
  pressCtrlC(): void {
    this.child.stdin?.write("\x03");
  }

  /** Exit code, or rejects when it does not stop within `timeoutMs` (then it is killed). */
  async exitCode(timeoutMs = 10_000): Promise<number | null> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        this.kill();
        reject(new Error(`did not exit within ${timeoutMs}ms after Ctrl-C\n${this.output}`));
      }, timeoutMs);
    });
    try {
      return await Promise.race([this.exited, late]);
    } finally {
      clearTimeout(timer);
    }
  }

  kill(): void {
    if (this.child.exitCode === null) this.child.kill("SIGKILL");
  }
}
