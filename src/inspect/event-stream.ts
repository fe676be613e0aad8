import type { ServerResponse } from "node:http";
import type { History } from "./history.js";
import { summaryJson } from "./shapes.js";

interface Client {
  res: ServerResponse;
  /** `?batch=1`: the requests of one batch go out as one `requests` event (an array). */
  batch: boolean;
  /** Text not yet written: messages of one burst go out in one write. */
  buffered: string[];
  bufferedBytes: number;
  /** Batch clients: the request summaries (JSON) not yet sent, and the last one's number. */
  requests: string[];
  lastId: number;
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
/** A reconnecting batch client gets its backlog in arrays of this many. */
const BACKLOG_BATCH = 500;

/**
 * Server-sent events: `request` events carry the record number as their id, so a client that
 * reconnects (Last-Event-ID) is sent every request it missed first. The page asks for `?batch=1`: one
 * `requests` event (an array, the id its last number) per batch instead of one event per request, since
 * in a browser each event costs far more than in hook. With no client, publishing serialises nothing.
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
  attach(res: ServerResponse, lastId: number | undefined, batch: boolean): void {
    res.writeHead(200, {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-store",
      "x-accel-buffering": "no",
    });
    const client: Client = { res, batch, buffered: [], bufferedBytes: 0, requests: [], lastId: 0 };
    // retry: how soon the browser reconnects after hook restarts or cuts a slow page off.
    const parts = ["retry: 1000\n\n"];
    const missed = lastId === undefined ? [] : this.history.after(lastId);
    for (let i = 0; i < missed.length; i += batch ? BACKLOG_BATCH : 1) {
      const some = missed.slice(i, i + (batch ? BACKLOG_BATCH : 1));
      const json = some.map((entry) => JSON.stringify(summaryJson(entry)));
      const last = (some.at(-1) as (typeof some)[number]).record.n;
      parts.push(
        batch
          ? message("requests", last, `[${json.join(",")}]`)
          : message("request", last, json[0] as string),
      );
    }
    res.write(parts.join(""));
    this.clients.add(client);
    res.on("close", () => this.clients.delete(client));
  }

  publish(kind: string, id: number | undefined, data: () => Record<string, unknown>): void {
    if (this.clients.size === 0) return;
    const json = JSON.stringify(data());
    if (kind !== "request" || id === undefined) {
      this.broadcast(message(kind, id, json));
      return;
    }
    let text: string | undefined;
    for (const client of this.clients) {
      if (!client.batch) {
        text ??= message(kind, id, json);
        this.append(client, text);
        continue;
      }
      client.requests.push(json);
      client.lastId = id;
      client.bufferedBytes += json.length;
    }
    this.schedule();
  }

  private broadcast(text: string): void {
    for (const client of this.clients) {
      // Keep the order: requests queued for a batch client go out before what follows them.
      this.closeBatch(client);
      this.append(client, text);
    }
    this.schedule();
  }

  private append(client: Client, text: string): void {
    client.buffered.push(text);
    client.bufferedBytes += text.length;
  }

  private closeBatch(client: Client): void {
    if (client.requests.length === 0) return;
    client.buffered.push(message("requests", client.lastId, `[${client.requests.join(",")}]`));
    client.requests = [];
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setTimeout(() => this.flush(), BATCH_MS);
  }

  private flush(): void {
    this.scheduled = false;
    for (const client of this.clients) {
      this.closeBatch(client);
      if (client.buffered.length === 0) continue;
      if (client.res.writableLength + client.bufferedBytes > MAX_BUFFERED) {
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

function message(kind: string, id: number | undefined, json: string): string {
  return `${id === undefined ? "" : `id: ${id}\n`}event: ${kind}\ndata: ${json}\n\n`;
}
