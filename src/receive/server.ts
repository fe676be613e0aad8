import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { StartError } from "../errors.js";
import { pairsFromRaw } from "../net/headers.js";
import type { Incoming } from "./pipeline.js";
import { errorReply, type Reply } from "./replies.js";

/**
 * What one sender may hold of the receiver. Through a public tunnel anyone can connect, so a
 * request that stalls must not hold a connection for Node's default 300 s, and a crowd of them must
 * not take every slot.
 */
export interface ReceiverLimits {
  /** Headers must have arrived whole within this (nginx's client_header_timeout, tighter). */
  headersTimeoutMs: number;
  /** The whole request, body included, within this: a stalled or trickled body is dropped with 408. */
  requestTimeoutMs: number;
  /** Open connections at most; more are closed at once until one frees up. */
  maxConnections: number;
  /** How often Node checks the two timeouts: a limit is enforced within this much of its time. */
  checkIntervalMs: number;
}

const RECEIVER_LIMITS: ReceiverLimits = {
  headersTimeoutMs: 20_000,
  requestTimeoutMs: 60_000,
  maxConnections: 256,
  checkIntervalMs: 1_000,
};

interface ReceiverOptions {
  host: string;
  port: number;
  maxBody: number;
  now: () => Date;
  handle: (incoming: Incoming) => Promise<Reply>;
  /** Internal: tests shorten the limits; users get RECEIVER_LIMITS. */
  limits?: Partial<ReceiverLimits>;
}

export interface Receiver {
  port: number;
  inFlight(): number;
  /** Stops accepting, lets requests in flight finish for up to `graceMs`, then cuts the rest. Idempotent. */
  close(graceMs: number): Promise<void>;
}

/**
 * The whole body, or `undefined` once it goes over `max`. Then the stream is only paused, not destroyed:
 * destroying it would take the socket, and with it the 413 we still have to send.
 */
function readWhole(req: IncomingMessage, max: number): Promise<Buffer | undefined> {
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > max) return Promise.resolve(undefined);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= max) {
        chunks.push(chunk);
        return;
      }
      settled = true;
      req.off("data", onData);
      req.pause();
      resolve(undefined);
    };
    req.on("data", onData);
    req.once("end", () => {
      settled = true;
      resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks));
    });
    req.once("error", reject);
    // A sender that hangs up mid-body: nothing to answer, but the request must not stay "in flight".
    // "close" follows every "end" too: only make the Error (and its stack) when it means something.
    req.once("close", () => {
      if (!settled) reject(new Error("the sender closed the connection before the body ended"));
    });
  });
}

function send(res: ServerResponse, reply: Reply, close: boolean): void {
  if (res.headersSent || res.destroyed) return;
  const body = typeof reply.body === "string" ? Buffer.from(reply.body) : reply.body;
  // Flat [name, value, ...] made in one pass: this runs for every request.
  const flat: string[] = [];
  for (const [name, value] of reply.headers) {
    if (name.length !== 14 || name.toLowerCase() !== "content-length") flat.push(name, value);
  }
  flat.push("content-length", String(body.length));
  if (close) flat.push("connection", "close");
  res.writeHead(reply.status, flat);
  res.end(body);
}

/** One request to the receiver: the whole body read (up to --max-body), handed to the pipeline, its reply sent. */
async function serveWebhook(
  req: IncomingMessage,
  res: ServerResponse,
  options: ReceiverOptions,
): Promise<void> {
  const body = await readWhole(req, options.maxBody);
  const incoming: Incoming = {
    method: req.method ?? "GET",
    path: req.url ?? "/",
    headers: pairsFromRaw(req.rawHeaders),
    body: body ?? Buffer.alloc(0),
    receivedAt: options.now(),
    tooLarge: body === undefined,
  };
  const reply = await options.handle(incoming);
  // After a 413 the rest of the body is still on the wire: close rather than read megabytes to discard.
  send(res, reply, incoming.tooLarge === true);
  if (incoming.tooLarge) res.once("finish", () => req.socket?.destroySoon());
}

export async function startReceiver(options: ReceiverOptions): Promise<Receiver> {
  let inFlight = 0;
  let drained: (() => void) | undefined;
  const limits = { ...RECEIVER_LIMITS, ...options.limits };
  // Node sends the 408 and closes the socket itself. The timeouts cover receiving the request only:
  // a forward that waits on a slow app (--timeout) is not cut by them.
  const serverOptions = {
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    connectionsCheckingInterval: limits.checkIntervalMs,
  };
  const server: Server = createServer(serverOptions, (req, res) => {
    inFlight += 1;
    serveWebhook(req, res, options)
      .catch((error: Error) => send(res, errorReply(500, "internal error", error.message), true))
      .finally(() => {
        inFlight -= 1;
        if (inFlight === 0) drained?.();
      });
  });
  server.keepAliveTimeout = 5_000;
  server.maxConnections = limits.maxConnections;
  await listen(server, options);
  let closing: Promise<void> | undefined;
  return {
    port: (server.address() as AddressInfo).port,
    inFlight: () => inFlight,
    close(graceMs) {
      closing ??= (async () => {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        if (inFlight > 0) {
          const idle = new Promise<void>((resolve) => {
            drained = resolve;
          });
          await Promise.race([idle, new Promise((r) => setTimeout(r, graceMs).unref())]);
        }
        server.closeAllConnections();
        await closed;
      })();
      return closing;
    },
  };
}

function listen(server: Server, options: ReceiverOptions): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) => {
      if (error.code === "EADDRINUSE") {
        reject(
          new StartError(
            `listen: port ${options.port} on ${options.host} is already in use`,
            "stop what uses it, or pick another with --port (0 picks a free one)",
          ),
        );
      } else if (error.code === "EACCES") {
        reject(
          new StartError(`listen: not allowed to use port ${options.port}`, "ports under 1024 need root"),
        );
      } else {
        reject(new StartError(`listen: cannot listen on ${options.host}:${options.port}: ${error.message}`));
      }
    });
    server.listen(options.port, options.host, () => resolve());
  });
}
