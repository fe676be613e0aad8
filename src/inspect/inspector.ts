import { deliveryJson } from "../events/json.js";
import type { EventBus, ListenEvent } from "../events/types.js";
import type { OutboxControl } from "./api.js";
import { EventStream } from "./event-stream.js";
import { DEFAULT_LIMITS, History, type HistoryLimits } from "./history.js";
import { HistoryFile } from "./history-file.js";
import type { ReplayerOptions } from "./replay.js";
import { startInspectorServer } from "./server.js";
import { summaryJson } from "./shapes.js";

export interface StartInput extends ReplayerOptions {
  port: number;
  /** --inspect-port was given: a taken port is an error, not a move to the next one. */
  explicitPort: boolean;
  saveDir?: string;
  outbox?: OutboxControl;
  info: Record<string, unknown>;
}

/**
 * The inspector: the second subscriber of the listen events, beside the terminal renderer. It keeps the
 * history (memory and disk) from the first request on, and serves the page and API on its own loopback
 * port once the receiver is up.
 */
export class Inspector {
  private server: Awaited<ReturnType<typeof startInspectorServer>> | undefined;
  private unsubscribe: (() => void) | undefined;
  private closing: Promise<void> | undefined;

  private constructor(
    readonly history: History,
    private readonly file: HistoryFile,
    private readonly stream: EventStream,
    /** The number the next request gets: numbers go on across restarts. */
    readonly firstNumber: number,
  ) {}

  /** Reads the earlier runs' history and starts recording. Warnings go out on the bus. */
  static async open(
    dataDir: string,
    bus: EventBus,
    limits: HistoryLimits = DEFAULT_LIMITS,
  ): Promise<Inspector> {
    const history = new History(limits);
    const { file, damaged, lastNumber } = await HistoryFile.open(dataDir, history);
    if (damaged > 0) {
      bus.emit({
        kind: "warning",
        message: `inspector: ${damaged} unreadable line(s) in ${file.path} were skipped`,
      });
    }
    const inspector = new Inspector(history, file, new EventStream(history), lastNumber + 1);
    inspector.unsubscribe = bus.on(inspector.handle);
    return inspector;
  }

  private readonly handle = (event: ListenEvent): void => {
    switch (event.kind) {
      case "request": {
        const entry = this.history.add(event.record);
        this.file.record(event.record);
        this.stream.publish("request", event.record.n, () => summaryJson(entry));
        return;
      }
      case "delivery": {
        const entry = this.history.attach(event.record);
        if (entry) this.file.delivery(entry.record.n, event.record);
        this.stream.publish("delivery", undefined, () => ({
          ...deliveryJson(event.record),
          n: entry?.record.n,
        }));
        return;
      }
      case "tunnel":
        this.stream.publish("tunnel", undefined, () => ({ ...event.record }));
        return;
      default:
        return;
    }
  };

  /** Serves the page and the API. Resolves with its URL (and a note when the default port was taken). */
  async start(input: StartInput): Promise<{ url: string; note?: string }> {
    this.server = await startInspectorServer(
      {
        history: this.history,
        stream: this.stream,
        replay: input,
        saveDir: input.saveDir,
        outbox: input.outbox,
        info: input.info,
      },
      input.port,
      input.explicitPort,
    );
    return { url: this.server.url, note: this.server.note };
  }

  /** Stops serving, writes the rest of the history. Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.unsubscribe?.();
      this.stream.close();
      await this.server?.close();
      await this.file.close();
    })();
    return this.closing;
  }
}
