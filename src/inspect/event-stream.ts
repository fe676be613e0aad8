import type { ServerResponse } from "node:http";
import type { History } from "./history.js";
import { summaryJson } from "./shapes.js";

interface Client {
  res: ServerResponse;
  /** `?batch=1`: the requests of one batch go out as one `requests` event (an array). */
  batch: boolean;
  /**
   * `?keep=N` (with batch=1): the page keeps only its newest N summaries, so of each batch only the
   * newest N are serialised and sent, and batches close at most every KEEP_BATCH_MS: under a burst
   * the page parses a fraction of what arrived and ends with exactly the summaries it would have kept.
   */
  keep: number;
  /** When a keep client's next batch may close (its first, after a quiet spell, at once). */
  nextBatchAt: number;
  /** Text not yet written: messages of one burst go out in one write. */
  buffered: string[];
  bufferedBytes: number;
  /** Batch clients: the requests not yet sent (serialised at the flush, only those sent), the last one's number. */
  requests: (() => Record<string, unknown>)[];
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
/** A keep client (the page) gets a batch at most this often: it draws no more often than that anyway. */
const KEEP_BATCH_MS = 500;
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
  attach(res: ServerResponse, lastId: number | undefined, batch: boolean, keep = Infinity): void {
    res.writeHead(200, {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-store",
      "x-accel-buffering": "no",
    });
    const client: Client = {
      res,
      batch,
      keep: batch ? keep : Infinity,
      nextBatchAt: 0,
      buffered: [],
      bufferedBytes: 0,
      requests: [],
      lastId: 0,
    };
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
    if (kind !== "request" || id === undefined) {
      this.broadcast(message(kind, id, JSON.stringify(data())));
      return;
    }
    let text: string | undefined;
    for (const client of this.clients) {
      if (!client.batch) {
        text ??= message(kind, id, JSON.stringify(data()));
        this.append(client, text);
        continue;
      }
      client.requests.push(data);
      // What the page would drop from its list is neither kept here nor ever serialised.
      if (client.requests.length > client.keep) client.requests.shift();
      client.lastId = id;
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
    const json = client.requests.map((data) => JSON.stringify(data())).join(",");
    this.append(client, message("requests", client.lastId, `[${json}]`));
    client.requests = [];
    if (client.keep !== Infinity) client.nextBatchAt = Date.now() + KEEP_BATCH_MS;
  }

  private schedule(delay = BATCH_MS): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setTimeout(() => this.flush(), Math.max(delay, BATCH_MS));
  }

  private flush(): void {
    this.scheduled = false;
    const now = Date.now();
    for (const client of this.clients) {
      if (client.nextBatchAt <= now) this.closeBatch(client);
      // A keep client's batch stays open until its time: come back for it then.
      else if (client.requests.length > 0) this.schedule(client.nextBatchAt - now);
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
