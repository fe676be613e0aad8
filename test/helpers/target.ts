import { randomInt } from "node:crypto";
import { readFileSync } from "node:fs";
import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from "node:http";
import { type AddressInfo, createServer as createNetServer } from "node:net";

export interface Received {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  /** Exactly the bytes that arrived. */
  body: Buffer;
}

export interface Reply {
  status?: number;
  headers?: Record<string, string>;
  body?: string;
  /** Wait this long before answering. */
  delayMs?: number;
  /**
   * After the headers, keep sending: "slow" one byte every 50 ms, "flood" as fast as the socket
   * takes it. Either way the answer never ends.
   */
  stream?: "slow" | "flood";
}

/**
 * A real HTTP server on an ephemeral port that records every request, raw. `respond` decides the
 * answer (no assertions in here: tests assert on `received` afterwards).
 */
export class Target {
  readonly received: Received[] = [];
  respond: (request: Received) => Reply | Promise<Reply> = () => ({ status: 200, body: "ok" });
  private server: Server;
  private waiters: { count: number; resolve: () => void }[] = [];
  port = 0;

  constructor() {
    this.server = createServer((req, res) => void this.handle(req, res));
    this.server.keepAliveTimeout = 1000;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(port = 0): Promise<this> {
    await new Promise<void>((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(port, "127.0.0.1", () => resolve());
    });
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  /** Resolves once `count` requests in all have arrived. */
  waitFor(count: number, timeoutMs = 15_000): Promise<void> {
    if (this.received.length >= count) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`target got ${this.received.length} of ${count} requests`)),
        timeoutMs,
      );
      this.waiters.push({
        count,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      });
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const request: Received = {
      method: req.method ?? "",
      url: req.url ?? "",
      headers: req.headers,
      body: Buffer.concat(chunks),
    };
    let reply: Reply;
    try {
      reply = await this.respond(request);
    } catch (error) {
      reply = { status: 500, body: String(error) };
    }
    if (reply.delayMs) await new Promise((r) => setTimeout(r, reply.delayMs));
    this.received.push(request);
    for (const waiter of this.waiters.filter((w) => this.received.length >= w.count)) {
      this.waiters.splice(this.waiters.indexOf(waiter), 1);
      waiter.resolve();
    }
    if (res.destroyed) return;
    res.writeHead(reply.status ?? 200, reply.headers ?? { "content-type": "text/plain" });
    if (reply.stream) endless(res, reply.stream, reply.body ?? "");
    else res.end(reply.body ?? "");
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /**
   * A port that nothing listens on, for "the target is down" tests (some bring a target up on it
   * later). Picked below the kernel's ephemeral range, never with `listen(0)`: a port from that range
   * is handed to the next `listen(0)` of any test file running beside this one as soon as it is
   * closed, so a "down" port could become another test's live target and a request meant to be
   * refused landed in the wrong test (seen: 5 requests for 4 fixtures). Every server the tests start
   * binds port 0, so only two `freePort()` callers can meet here, by a 1-in-12,000 chance.
   */
  static async freePort(): Promise<number> {
    const { low, span } = belowEphemeral();
    for (let attempt = 0; attempt < 100; attempt += 1) {
      const port = low + randomInt(span);
      if (await canBind(port)) return port;
    }
    throw new Error(`no free port in ${low}-${low + span - 1} after 100 attempts`);
  }
}

/** The ports below the kernel's ephemeral range (Linux: ip_local_port_range; else 32768-). */
export function belowEphemeral(): { low: number; span: number } {
  let first = 32_768;
  try {
    first = Number(readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8").trim().split(/\s+/)[0]);
  } catch {
    // not Linux: keep IANA's start of the dynamic range
  }
  const span = Math.min(12_000, first - 1_024);
  return { low: first - span, span };
}

function canBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createNetServer();
    probe.once("error", () => resolve(false));
    probe.listen(port, "127.0.0.1", () => probe.close(() => resolve(true)));
  });
}

/** An answer that never ends, until the client gives up and the socket closes. */
function endless(res: ServerResponse, mode: "slow" | "flood", start: string): void {
  res.write(start);
  if (mode === "slow") {
    const timer = setInterval(() => res.write("."), 50);
    res.on("close", () => clearInterval(timer));
    return;
  }
  const chunk = Buffer.alloc(64 * 1024, "x");
  const pump = () => {
    while (!res.destroyed && res.write(chunk)) {}
  };
  res.on("drain", pump);
  pump();
}
