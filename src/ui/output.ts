import { Chalk, type ChalkInstance } from "chalk";
import { jsonWithoutBytes } from "../events/json.js";
import { redactText } from "../redact.js";
import { humanText } from "./escape.js";
import type { Io } from "./io.js";
import { LineBatch } from "./line-batch.js";

interface OutputOptions {
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
 *
 * Every line and every data object is redacted here (src/redact.ts), and a human line has its
 * control characters escaped, chalk's own colour codes and line breaks apart: renderers escape the
 * outside text they quote too, but nothing that slips past them reaches the terminal raw.
 */
export class Output {
  readonly json: boolean;
  readonly color: ChalkInstance;
  readonly interactive: boolean;
  /**
   * stderr is a file, cron's mail or journald, not a person watching: every human line starts with
   * an ISO timestamp, since such a log is read later and a line without a time says little.
   */
  readonly stamped: boolean;
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
    this.stamped = !tty;
  }

  /** A human line as it is written: redacted, escaped, and timestamped when stderr is not a TTY. */
  human(text: string): string {
    const safe = humanText(text);
    if (!this.stamped) return safe;
    const stamp = this.io.now().toISOString();
    if (!safe.includes("\n")) return safe === "" ? safe : `${stamp} ${safe}`;
    return safe
      .split("\n")
      .map((line) => (line === "" ? line : `${stamp} ${line}`))
      .join("\n");
  }

  /** One JSON object per line on stdout, with a `kind` field. Only with --json. */
  data(kind: string, fields: Record<string, unknown>): void {
    if (!this.json) return;
    this.io.stdout.write(`${this.jsonText({ kind, ...fields })}\n`);
  }

  /** A --json line as data() writes it (redacted, no raw bytes), for a caller that batches its lines. */
  jsonText(value: Record<string, unknown>): string {
    return redactText(jsonWithoutBytes(value));
  }

  /**
   * Lines at a request's rate, batched (see LineBatch) on the stream this output's lines go to: stdout
   * with --json, stderr otherwise. Add human() or jsonText() lines; flush() before writing any other.
   */
  batch(flushAfterMs: number): LineBatch {
    const stream = this.json ? this.io.stdout : this.io.stderr;
    return new LineBatch((text) => stream.write(text), stream.isTTY !== true, flushAfterMs);
  }

  /**
   * The command's product, exactly as asked for, even without --json: `hook sign` prints the headers
   * and the curl command to send (a Telegram signature header is the secret itself), so it is not redacted.
   */
  result(text: string): void {
    this.io.stdout.write(text.endsWith("\n") ? text : `${text}\n`);
  }

  /** The product as a --json line: like data(), but exactly as made, for the same reason as result(). */
  resultData(kind: string, fields: Record<string, unknown>): void {
    this.result(JSON.stringify({ kind, ...fields }));
  }

  /** A human line on stderr. Quiet with --json, where the data lines say it all. */
  line(text = ""): void {
    if (this.json) return;
    this.io.stderr.write(`${this.human(text)}\n`);
  }

  /** Warnings reach stderr even with --json: a script's log should still show them. */
  warn(text: string): void {
    this.io.stderr.write(`${this.human(`${this.color.yellow("warning:")} ${text}`)}\n`);
  }

  spinner(text: string): Spinner {
    if (!this.interactive) {
      return { update() {}, stop: (finalLine) => finalLine && this.line(finalLine) };
    }
    let stopped = false;
    let pending: { stop(): void; text: string } | undefined;
    let latest = humanText(text);
    // ora is loaded lazily so that commands without a spinner never pay for it.
    const ready = import("ora").then(({ default: ora }) => {
      if (stopped) return;
      // ora's default discardStdin puts stdin in raw mode, and a terminal in raw mode turns Ctrl-C
      // into a plain byte: no SIGINT ever came, and `hook poll` could not be stopped.
      pending = ora({ text: latest, stream: this.io.stderr, discardStdin: false }).start();
    });
    return {
      update: (next) => {
        latest = humanText(next);
        if (pending) pending.text = latest;
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
