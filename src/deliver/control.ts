import { createHash } from "node:crypto";
import { chmodSync, unlinkSync } from "node:fs";
import { createConnection, createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { Outbox, PendingEntry } from "./outbox.js";

/**
 * `hook outbox` reaches a running `hook listen --durable` over a Unix socket in the data dir (a named
 * pipe on Windows): the listener holds the lock and the journal, so it must make the change itself.
 */
export type ControlRequest = { op: "list" } | { op: "retry" } | { op: "drop"; target: string };

export type ControlReply =
  | { ok: true; op: "list"; entries: PendingEntry[] }
  | { ok: true; op: "retry"; retried: boolean; pending: number }
  | { ok: true; op: "drop"; seq: number; file: string; pending: number }
  | { ok: false; error: string };

/** Unix socket paths are limited to about 104 bytes: a deep data dir gets one in the temp folder. */
function controlPath(dataDir: string): string {
  const dir = resolve(dataDir);
  const hash = createHash("sha256").update(dir).digest("hex").slice(0, 16);
  if (process.platform === "win32") return `\\\\.\\pipe\\hook-outbox-${hash}`;
  const beside = join(dir, "outbox.sock");
  return Buffer.byteLength(beside) < 100 ? beside : join(tmpdir(), `hook-outbox-${hash}.sock`);
}

const MAX_REQUEST = 64 * 1024;

async function answer(outbox: Outbox, request: ControlRequest): Promise<ControlReply> {
  switch (request.op) {
    case "list":
      return { ok: true, op: "list", entries: await outbox.list() };
    case "retry":
      return { ok: true, op: "retry", retried: outbox.retryNow(), pending: outbox.pending };
    case "drop": {
      const dropped = await outbox.drop(request.target);
      if (!dropped) return { ok: false, error: `no pending entry ${request.target}` };
      return { ok: true, op: "drop", ...dropped, pending: outbox.pending };
    }
    default:
      return { ok: false, error: "unknown request" };
  }
}

/** One `hook outbox` request per connection: a JSON line in, the JSON reply out, then the socket ends. */
function serveOutboxCommand(socket: Socket, outbox: Outbox): void {
  let text = "";
  socket.setEncoding("utf8");
  socket.setTimeout(10_000, () => socket.destroy());
  socket.on("error", () => undefined);
  socket.on("data", (chunk: string) => {
    text += chunk;
    if (text.length > MAX_REQUEST) socket.destroy();
    const nl = text.indexOf("\n");
    if (nl < 0) return;
    socket.pause();
    let request: ControlRequest;
    try {
      request = JSON.parse(text.slice(0, nl)) as ControlRequest;
    } catch {
      socket.end(`${JSON.stringify({ ok: false, error: "not JSON" })}\n`);
      return;
    }
    answer(outbox, request)
      .catch((error: Error): ControlReply => ({ ok: false, error: error.message }))
      .then((reply) => socket.end(`${JSON.stringify(reply)}\n`));
  });
}

/** Listens for `hook outbox` on the data dir's control socket; returns the close function. */
export async function startControl(dataDir: string, outbox: Outbox): Promise<() => Promise<void>> {
  const path = controlPath(dataDir);
  // The caller holds the data dir's lock: a socket file left here is a dead listener's.
  if (process.platform !== "win32") unlinkQuiet(path);
  const server: Server = createServer((socket) => serveOutboxCommand(socket, outbox));
  await new Promise<void>((done, fail) => {
    server.once("error", fail);
    server.listen(path, () => done());
  });
  if (process.platform !== "win32") chmodSync(path, 0o600);
  return () =>
    new Promise<void>((done) => {
      server.close(() => done());
      if (process.platform !== "win32") unlinkQuiet(path);
    });
}

function unlinkQuiet(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // Not there.
  }
}

/**
 * Sends one request to the listener of `dataDir`. Undefined when none answers (no socket, or a dead
 * one); every wait is bounded.
 */
export function askListener(
  dataDir: string,
  request: ControlRequest,
  timeoutMs = 60_000,
): Promise<ControlReply | undefined> {
  return new Promise((done, fail) => {
    const socket = createConnection(controlPath(dataDir));
    let text = "";
    let connected = false;
    socket.setEncoding("utf8");
    const timer = setTimeout(() => {
      socket.destroy();
      fail(new Error(`the running hook listen did not answer within ${timeoutMs / 1000}s`));
    }, timeoutMs);
    socket.on("connect", () => {
      connected = true;
      socket.write(`${JSON.stringify(request)}\n`);
    });
    socket.on("data", (chunk: string) => {
      text += chunk;
    });
    socket.on("error", (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      if (!connected) done(undefined);
      else fail(error);
    });
    socket.on("end", () => {
      clearTimeout(timer);
      try {
        done(JSON.parse(text) as ControlReply);
      } catch {
        fail(new Error("the running hook listen sent an answer that is not JSON"));
      }
    });
  });
}
