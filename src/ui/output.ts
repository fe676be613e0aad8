import { Chalk, type ChalkInstance } from "chalk";
import type { Io } from "./io.js";

export interface OutputOptions {
  json?: boolean;
  color?: boolean;
}

export interface Spinner {
  update(text: string): void;
  stop(finalLine?: string): void;
}

/**
 * Everything a command shows goes through here. stdout is data (one JSON object per line with
 * --json), stderr is for people. Colour is decided once: --json, --no-color, NO_COLOR, or a
 * non-TTY stderr turn it off. Spinners run only on a TTY and never with --json.
 */
export class Output {
  readonly json: boolean;
  readonly color: ChalkInstance;
  readonly interactive: boolean;
  private readonly io: Io;

  constructor(io: Io, options: OutputOptions = {}) {
    this.io = io;
    this.json = options.json === true;
    const noColor = io.env.NO_COLOR !== undefined && io.env.NO_COLOR !== "";
    const forceColor = io.env.FORCE_COLOR !== undefined && io.env.FORCE_COLOR !== "0";
    const tty = io.stderr.isTTY === true;
    const useColor = !this.json && options.color !== false && !noColor && (tty || forceColor);
    this.color = new Chalk({ level: useColor ? 1 : 0 });
    this.interactive = tty && !this.json && io.env.CI !== "true";
  }

  /** One JSON object per line on stdout, with a `kind` field. Only with --json. */
  data(kind: string, fields: Record<string, unknown>): void {
    if (!this.json) return;
    this.io.stdout.write(`${JSON.stringify({ kind, ...fields })}\n`);
  }

  /** Data that is the command's result even without --json (hook sign prints headers). */
  result(text: string): void {
    this.io.stdout.write(text.endsWith("\n") ? text : `${text}\n`);
  }

  /** A human line on stderr. Quiet with --json, where the data lines say it all. */
  line(text = ""): void {
    if (this.json) return;
    this.io.stderr.write(`${text}\n`);
  }

  /** Warnings reach stderr even with --json: a script's log should still show them. */
  warn(text: string): void {
    this.io.stderr.write(`${this.color.yellow("warning:")} ${text}\n`);
  }

  spinner(text: string): Spinner {
    if (!this.interactive) {
      return { update() {}, stop: (finalLine) => finalLine && this.line(finalLine) };
    }
    let stopped = false;
    let pending: { stop(): void; text: string } | undefined;
    let latest = text;
    // ora is loaded lazily so that commands without a spinner never pay for it.
    const ready = import("ora").then(({ default: ora }) => {
      if (stopped) return;
      pending = ora({ text: latest, stream: this.io.stderr }).start();
    });
    return {
      update: (next) => {
        latest = next;
        if (pending) pending.text = next;
      },
      stop: (finalLine) => {
        stopped = true;
        void ready.then(() => {
          pending?.stop();
          if (finalLine) this.line(finalLine);
        });
      },
    };
  }
}

/** Never print a secret in full: "whsec_…a1b2". */
export function maskSecret(secret: string): string {
  const prefix = /^[a-z]+_/i.exec(secret)?.[0] ?? "";
  if (secret.length < 12) return `${prefix}…`;
  return `${prefix}…${secret.slice(-4)}`;
}
