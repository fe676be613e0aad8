import type { ServerResponse } from "node:http";
import type { History } from "./history.js";
import { summaryJson } from "./shapes.js";

interface Client {
  res: ServerResponse;
  /** Text not yet written: messages of one burst go out in one write. */
  buffered: string[];
  bufferedBytes: number;
}

/**
 * A page that cannot keep up (a burst of thousands into a busy tab) is cut off past this much unsent
 * text instead of growing hook's memory; its EventSource reconnects with Last-Event-ID and gets the
 * requests it missed from the history.
 */
const MAX_BUFFERED = 8 * 1024 * 1024;
const HEARTBEAT_MS = 15_000;
/** Events of a burst go out together, a few writes a second rather than one per request. */
const BATCH_MS = 50;

/**
 * Server-sent events for the page: `request` events carry the record number as their id, so a page
 * that reconnects (Last-Event-ID) is sent every request it missed first. With no page open, publishing
 * is one size check: nothing is serialised.
 */
export class EventStream {
  private readonly clients = new Set<Client>();
  private scheduled = false;
  private readonly heartbeat: NodeJS.Timeout;

  constructor(private readonly history: History) {
    this.heartbeat = setInterval(() => this.broadcast(": keep-alive\n\n"), HEARTBEAT_MS).unref();
  }

  get open(): number {
    return this.clients.size;
  }

  /** Starts a stream; sends the requests numbered above `lastId` first. */
  attach(res: ServerResponse, lastId: number | undefined): void {
    res.writeHead(200, {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-store",
      "x-accel-buffering": "no",
    });
    const client: Client = { res, buffered: [], bufferedBytes: 0 };
    // retry: how soon the browser reconnects after hook restarts or cuts a slow page off.
    let text = "retry: 1000\n\n";
    if (lastId !== undefined) {
      for (const entry of this.history.after(lastId))
        text += message("request", entry.record.n, summaryJson(entry));
    }
    res.write(text);
    this.clients.add(client);
    res.on("close", () => this.clients.delete(client));
  }

  publish(kind: string, id: number | undefined, data: () => Record<string, unknown>): void {
    if (this.clients.size === 0) return;
    this.broadcast(message(kind, id, data()));
  }

  private broadcast(text: string): void {
    for (const client of this.clients) {
      client.buffered.push(text);
      client.bufferedBytes += text.length;
    }
    if (this.scheduled) return;
    this.scheduled = true;
    setTimeout(() => this.flush(), BATCH_MS);
  }

  private flush(): void {
    this.scheduled = false;
    for (const client of this.clients) {
      if (client.buffered.length === 0) continue;
      const pendingOnSocket = client.res.writableLength;
      if (pendingOnSocket + client.bufferedBytes > MAX_BUFFERED) {
        this.clients.delete(client);
        client.res.destroy();
        continue;
      }
      client.res.write(client.buffered.join(""));
      client.buffered = [];
      client.bufferedBytes = 0;
    }
  }

  close(): void {
    clearInterval(this.heartbeat);
    for (const client of this.clients) client.res.end();
    this.clients.clear();
  }
}

function message(kind: string, id: number | undefined, data: Record<string, unknown>): string {
  return `${id === undefined ? "" : `id: ${id}\n`}event: ${kind}\ndata: ${JSON.stringify(data)}\n\n`;
}
