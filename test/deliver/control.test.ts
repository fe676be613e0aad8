import { existsSync, statSync, writeFileSync } from "node:fs";
import { createConnection, createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { askListener, controlPath, startControl } from "../../src/deliver/control.js";
import { Target } from "../helpers/target.js";
import { entry, outboxFor, type Running, tempDir } from "./helpers.js";

describe("the control socket's path", () => {
  it("sits in the data dir, or in the temp folder when that path would be too long for a socket", () => {
    expect(controlPath("/tmp/short")).toBe("/tmp/short/outbox.sock");
    expect(controlPath(relative(process.cwd(), "/tmp/short"))).toBe("/tmp/short/outbox.sock");
    const deep = `/tmp/${"d".repeat(90)}`;
    const far = controlPath(deep);
    expect(far).toMatch(new RegExp(`^${tmpdir()}/hook-outbox-[0-9a-f]{16}\\.sock$`));
    // One data dir, one socket; another dir, another socket.
    expect(controlPath(`${deep}/`)).toBe(far);
    expect(controlPath(`${deep}x`)).not.toBe(far);
    // 99 bytes still fits beside the data.
    const edge = `/tmp/${"e".repeat(99 - "/tmp/".length - "/outbox.sock".length)}`;
    expect(controlPath(edge)).toBe(`${edge}/outbox.sock`);
    expect(controlPath(`${edge}e`)).not.toBe(`${edge}e/outbox.sock`);
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
      const socket = createConnection(controlPath(work.dir));
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
    expect((statSync(controlPath(work.dir)).mode & 0o777).toString(8)).toBe("600");
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
    const socket = createConnection(controlPath(work.dir));
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
    writeFileSync(controlPath(work.dir), "left over");
    close = await startControl(work.dir, running.outbox);
    expect((await askListener(work.dir, { op: "retry" }))?.ok).toBe(true);
    await close();
    close = undefined;
    expect(existsSync(controlPath(work.dir))).toBe(false);
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
    await new Promise<void>((resolve) => server?.listen(controlPath(work.dir), resolve));
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
