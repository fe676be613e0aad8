import { createHash } from "node:crypto";
import { existsSync, mkdirSync, statSync, writeFileSync } from "node:fs";
import { createConnection, createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { askListener, startControl } from "../../src/deliver/control.js";
import { Target } from "../helpers/target.js";
import { entry, outboxFor, type Running, tempDir } from "./helpers.js";

describe("the control socket's path", () => {
  let work: ReturnType<typeof tempDir>;
  let target: Target;
  beforeEach(async () => {
    work = tempDir();
    target = await new Target().start();
  });
  afterEach(async () => {
    await target.close();
    work.remove();
  });

  /** A data dir whose socket beside it would be a path of exactly `bytes` bytes. */
  const dataDirFor = (bytes: number) => {
    const dir = join(work.dir, "d".repeat(bytes - work.dir.length - 1 - "/outbox.sock".length));
    mkdirSync(dir);
    return dir;
  };
  /** The temp-folder socket of a data dir: named by a hash of its absolute path. */
  const inTemp = (dir: string) =>
    join(tmpdir(), `hook-outbox-${createHash("sha256").update(dir).digest("hex").slice(0, 16)}.sock`);

  /** Starts the control socket on `dir`, asks it something, and says where the socket was. */
  const serveOn = async (dir: string) => {
    const running = await outboxFor(dir, target);
    const close = await startControl(dir, running.outbox);
    const where = {
      beside: existsSync(join(dir, "outbox.sock")),
      inTemp: existsSync(inTemp(dir)),
      answer: await askListener(dir, { op: "retry" }),
      // A relative spelling of the same data dir reaches the same listener.
      relative: await askListener(relative(process.cwd(), dir), { op: "retry" }),
    };
    await close();
    await running.close();
    return { ...where, left: existsSync(inTemp(dir)) || existsSync(join(dir, "outbox.sock")) };
  };

  it("sits in the data dir while that path fits a socket (under 100 bytes)", async () => {
    const where = await serveOn(dataDirFor(99));
    expect(where).toEqual({
      beside: true,
      inTemp: false,
      answer: expect.objectContaining({ ok: true }),
      relative: expect.objectContaining({ ok: true }),
      left: false,
    });
  });

  it("is in the temp folder when it would not fit, named for the data dir, and removed on close", async () => {
    const where = await serveOn(dataDirFor(100));
    expect(where).toEqual({
      beside: false,
      inTemp: true,
      answer: expect.objectContaining({ ok: true }),
      relative: expect.objectContaining({ ok: true }),
      left: false,
    });
  });
});

describe("hook outbox talking to a running listener", () => {
  let work: ReturnType<typeof tempDir>;
  let target: Target;
  let running: Running;
  let close: (() => Promise<void>) | undefined;
  beforeEach(async () => {
    work = tempDir();
    target = await new Target().start();
    target.respond = () => ({ status: 503 });
    running = await outboxFor(work.dir, target);
    for (const n of [1, 2]) running.outbox.enqueue(await running.journal.accept(entry(n)));
  });
  afterEach(async () => {
    await close?.();
    close = undefined;
    await running.close();
    await target.close();
    work.remove();
  });

  /** Sends raw bytes to the socket and returns everything it answered before closing. */
  const raw = (data: string) =>
    new Promise<string>((resolve, reject) => {
      const socket = createConnection(join(work.dir, "outbox.sock"));
      let text = "";
      socket.setEncoding("utf8");
      socket.on("data", (chunk: string) => {
        text += chunk;
      });
      socket.on("error", reject);
      socket.on("close", () => resolve(text));
      socket.write(data);
    });

  it("lists, retries and drops through the listener, which makes the change itself", async () => {
    close = await startControl(work.dir, running.outbox);
    expect((statSync(join(work.dir, "outbox.sock")).mode & 0o777).toString(8)).toBe("600");
    const list = await askListener(work.dir, { op: "list" });
    expect(list).toMatchObject({ ok: true, op: "list", entries: [{ seq: 1 }, { seq: 2 }] });
    expect(await askListener(work.dir, { op: "retry" })).toEqual({
      ok: true,
      op: "retry",
      retried: true,
      pending: 2,
    });
    expect(await askListener(work.dir, { op: "drop", target: "evt_2" })).toEqual({
      ok: true,
      op: "drop",
      seq: 2,
      file: join(work.dir, "dead", "none-order.paid-evt_2.json"),
      pending: 1,
    });
    expect(await askListener(work.dir, { op: "drop", target: "7" })).toEqual({
      ok: false,
      error: "no pending entry 7",
    });
    expect(existsSync(join(work.dir, "dead", "none-order.paid-evt_2.json"))).toBe(true);
  });

  it("answers a request it cannot read, or does not know, with an error, not silence", async () => {
    close = await startControl(work.dir, running.outbox);
    expect(JSON.parse(await raw("{not json\n"))).toEqual({ ok: false, error: "not JSON" });
    expect(JSON.parse(await raw('{"op":"explode"}\n'))).toEqual({ ok: false, error: "unknown request" });
    // A request may come in pieces; only the first line counts.
    const socket = createConnection(join(work.dir, "outbox.sock"));
    const answer = new Promise<string>((resolve) => {
      let text = "";
      socket.on("data", (chunk) => {
        text += chunk;
      });
      socket.on("close", () => resolve(text));
    });
    socket.write('{"op":');
    await new Promise((resolve) => setTimeout(resolve, 20));
    socket.write('"retry"}\n{"op":"list"}\n');
    expect(JSON.parse(await answer)).toMatchObject({ ok: true, op: "retry" });
  });

  it("a change that fails is answered with why", async () => {
    // Entries from an earlier run are read back from the file (not kept from their accept).
    await running.close();
    running = await outboxFor(work.dir, target);
    close = await startControl(work.dir, running.outbox);
    writeFileSync(join(work.dir, "outbox.ndjson"), "");
    expect(await askListener(work.dir, { op: "list" })).toEqual({
      ok: false,
      error: "outbox entry #1 is no longer readable at byte 0 of the journal",
    });
  });

  it("hangs up on a request longer than 64 KB", async () => {
    close = await startControl(work.dir, running.outbox);
    expect(await raw("x".repeat(65 * 1024))).toBe("");
  });

  it("takes over a socket file a dead listener left, and removes its own when it closes", async () => {
    writeFileSync(join(work.dir, "outbox.sock"), "left over");
    close = await startControl(work.dir, running.outbox);
    expect((await askListener(work.dir, { op: "retry" }))?.ok).toBe(true);
    await close();
    close = undefined;
    expect(existsSync(join(work.dir, "outbox.sock"))).toBe(false);
    expect(await askListener(work.dir, { op: "list" })).toBeUndefined();
  });
});

describe("asking a listener that misbehaves", () => {
  let work: ReturnType<typeof tempDir>;
  let server: Server | undefined;
  const sockets: Socket[] = [];
  beforeEach(() => {
    work = tempDir();
  });
  afterEach(async () => {
    for (const socket of sockets.splice(0)) socket.destroy();
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
    server = undefined;
    work.remove();
  });

  const fake = async (onRequest: (socket: Socket) => void) => {
    server = createServer((socket) => {
      sockets.push(socket);
      onRequest(socket);
    });
    await new Promise<void>((resolve) => server?.listen(join(work.dir, "outbox.sock"), resolve));
  };

  it("gives up on one that does not answer, within the bound", async () => {
    await fake(() => undefined);
    await expect(askListener(work.dir, { op: "list" }, 200)).rejects.toThrow(
      "the running hook listen did not answer within 0.2s",
    );
  });

  it("says so when the answer is not JSON", async () => {
    await fake((socket) => socket.end("<html>\n"));
    await expect(askListener(work.dir, { op: "list" })).rejects.toThrow(
      "the running hook listen sent an answer that is not JSON",
    );
  });

  it("sends the request as one JSON line", async () => {
    let got = "";
    await fake((socket) => {
      socket.on("data", (chunk) => {
        got += chunk;
        if (got.endsWith("\n")) socket.end('{"ok":true,"op":"retry","retried":false,"pending":0}\n');
      });
    });
    expect(await askListener(work.dir, { op: "drop", target: "evt_1" })).toEqual({
      ok: true,
      op: "retry",
      retried: false,
      pending: 0,
    });
    expect(got).toBe('{"op":"drop","target":"evt_1"}\n');
  });
});
