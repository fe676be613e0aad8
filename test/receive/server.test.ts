import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { StartError } from "../../src/errors.js";
import { SeenIds } from "../../src/receive/dedupe.js";
import type { Incoming } from "../../src/receive/pipeline.js";
import { jsonReply, type Reply } from "../../src/receive/replies.js";
import { type Receiver, startReceiver } from "../../src/receive/server.js";

const AT = new Date("2026-11-27T12:00:00Z");

describe("the receiver", () => {
  const receivers: Receiver[] = [];
  afterEach(async () => {
    for (const r of receivers.splice(0)) await r.close(0);
  });

  async function start(handle: (incoming: Incoming) => Promise<Reply>, maxBody = 1024, port = 0) {
    const receiver = await startReceiver({ host: "127.0.0.1", port, maxBody, now: () => AT, handle });
    receivers.push(receiver);
    return receiver;
  }

  /** One raw HTTP exchange: what came back, as text, once the server closed or answered in full. */
  function raw(port: number, request: string | Buffer, endAfter = true): Promise<string> {
    return new Promise((resolve) => {
      const socket = connect(port, "127.0.0.1");
      let got = "";
      socket.setEncoding("latin1").on("data", (d: string) => {
        got += d;
        if (/\r\n\r\n/.test(got) && !endAfter) socket.destroy();
      });
      socket.on("error", () => undefined);
      socket.on("close", () => resolve(got));
      socket.write(request);
      if (endAfter) socket.end();
    });
  }

  it("hands the request over as it came: method, path and query, header names and order, exact bytes", async () => {
    const seen: Incoming[] = [];
    const r = await start(async (incoming) => {
      seen.push(incoming);
      return jsonReply(200, { ok: true });
    });
    const body = Buffer.from([0x00, 0xff, 0x7b, 0x0a]);
    const res = await fetch(`http://127.0.0.1:${r.port}/a/b?x=%2F&y`, {
      method: "PUT",
      body,
      headers: { "X-Mixed-Case": "1", "content-type": "application/octet-stream" },
    });
    expect(res.status).toBe(200);
    const incoming = seen[0] as Incoming;
    expect(incoming.method).toBe("PUT");
    expect(incoming.path).toBe("/a/b?x=%2F&y");
    expect(Buffer.from(incoming.body).equals(body)).toBe(true);
    expect(incoming.receivedAt).toBe(AT);
    expect(incoming.tooLarge).toBe(false);
    expect(incoming.headers).toContainEqual(["X-Mixed-Case", "1"]);
    expect(incoming.headers.map(([name]) => name.toLowerCase())).toContain("content-length");
    const empty = await fetch(`http://127.0.0.1:${r.port}/`);
    expect(empty.status).toBe(200);
    expect(seen[1]?.body.length).toBe(0);
    expect(seen[1]?.method).toBe("GET");
  });

  it("reads a body of exactly --max-body; one byte more is too large, declared or streamed", async () => {
    const seen: Incoming[] = [];
    const r = await start(async (incoming) => {
      seen.push(incoming);
      return jsonReply(incoming.tooLarge ? 413 : 200, { n: incoming.body.length });
    }, 10);
    const ok = await fetch(`http://127.0.0.1:${r.port}/`, { method: "POST", body: "0123456789" });
    expect(ok.status).toBe(200);
    expect(Buffer.from(seen[0]?.body ?? []).toString()).toBe("0123456789");
    // Streamed in chunks, no length: counted as it arrives, the whole still kept in order.
    const chunked = await raw(
      r.port,
      "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n5\r\n01234\r\n5\r\n56789\r\n0\r\n\r\n",
    );
    expect(chunked).toMatch(/^HTTP\/1\.1 200 /);
    expect(Buffer.from(seen[1]?.body ?? []).toString()).toBe("0123456789");
    const over = await raw(
      r.port,
      "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n6\r\n012345\r\n5\r\n6789a\r\n0\r\n\r\n",
    );
    expect(over).toMatch(/^HTTP\/1\.1 413 /);
    expect(over.toLowerCase()).toContain("connection: close");
    expect(seen[2]).toMatchObject({ tooLarge: true });
    expect(seen[2]?.body.length).toBe(0);
    const declared = await raw(r.port, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\n\r\n", false);
    expect(declared).toMatch(/^HTTP\/1\.1 413 /);
    expect(seen[3]).toMatchObject({ tooLarge: true });
  });

  it("sets its own Content-Length over the one a reply carries", async () => {
    const r = await start(async () => ({
      status: 201,
      headers: [
        ["Content-Length", "999"],
        ["x-kept", "1"],
      ],
      body: Buffer.from("four"),
    }));
    const res = await fetch(`http://127.0.0.1:${r.port}/`);
    expect(res.status).toBe(201);
    expect(res.headers.get("content-length")).toBe("4");
    expect(res.headers.get("x-kept")).toBe("1");
    expect(res.headers.get("connection")).not.toBe("close");
    expect(await res.text()).toBe("four");
  });

  it("a handler that throws is a 500 that says why, and the receiver keeps serving", async () => {
    let calls = 0;
    const r = await start(async () => {
      calls++;
      if (calls === 1) throw new Error("disk on fire");
      return jsonReply(200, { ok: true });
    });
    const res = await fetch(`http://127.0.0.1:${r.port}/`, { method: "POST", body: "x" });
    expect(res.status).toBe(500);
    expect(res.headers.get("connection")).toBe("close");
    expect(await res.json()).toEqual({ error: "internal error", reason: "disk on fire" });
    expect((await fetch(`http://127.0.0.1:${r.port}/`)).status).toBe(200);
    expect(r.inFlight()).toBe(0);
  });

  it("a sender that hangs up mid-body is not handled and does not stay in flight", async () => {
    let handled = 0;
    const r = await start(async () => {
      handled++;
      return jsonReply(200, {});
    });
    const socket = connect(r.port, "127.0.0.1");
    await new Promise<void>((resolve) => socket.once("connect", () => resolve()));
    socket.write("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nonly a part");
    for (let i = 0; i < 100 && r.inFlight() === 0; i++)
      await new Promise((resolve) => setTimeout(resolve, 20));
    expect(r.inFlight()).toBe(1);
    socket.destroy();
    for (let i = 0; i < 100 && r.inFlight() > 0; i++) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(r.inFlight()).toBe(0);
    expect(handled).toBe(0);
  });

  it("close lets a request in flight finish within the grace, and is idempotent", async () => {
    let release: () => void = () => {};
    const r = await start(
      () =>
        new Promise<Reply>((resolve) => {
          release = () => resolve(jsonReply(200, { late: true }));
        }),
    );
    const pending = fetch(`http://127.0.0.1:${r.port}/`).then(async (res) => res.json());
    for (let i = 0; i < 100 && r.inFlight() === 0; i++)
      await new Promise((resolve) => setTimeout(resolve, 10));
    const closing = r.close(10_000);
    expect(r.close(0)).toBe(closing);
    setTimeout(() => release(), 50);
    expect(await pending).toEqual({ late: true });
    await closing;
    await expect(fetch(`http://127.0.0.1:${r.port}/`)).rejects.toThrow();
  });

  it("close cuts a request that outlives the grace", async () => {
    const r = await start(() => new Promise<Reply>(() => undefined));
    const pending = fetch(`http://127.0.0.1:${r.port}/`).then(
      () => "answered",
      () => "cut",
    );
    for (let i = 0; i < 100 && r.inFlight() === 0; i++)
      await new Promise((resolve) => setTimeout(resolve, 10));
    await r.close(50);
    expect(await pending).toBe("cut");
  });

  it("a port in use, or a host it cannot bind, is 'could not start' (exit 3) with what to do", async () => {
    const first = await start(async () => jsonReply(200, {}));
    let error: unknown;
    try {
      await start(async () => jsonReply(200, {}), 1024, first.port);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(StartError);
    expect((error as StartError).exitCode).toBe(3);
    expect((error as StartError).message).toBe(`listen: port ${first.port} on 127.0.0.1 is already in use`);
    expect((error as StartError).hint).toBe(
      "stop what uses it, or pick another with --port (0 picks a free one)",
    );
    const bad = startReceiver({
      host: "203.0.113.1",
      port: 0,
      maxBody: 1,
      now: () => AT,
      handle: async () => jsonReply(200, {}),
    });
    await expect(bad).rejects.toThrow(/^listen: cannot listen on 203\.0\.113\.1:0: /);
    await expect(bad).rejects.toBeInstanceOf(StartError);
  });
});

describe("duplicate marking", () => {
  const dirs: string[] = [];
  const dir = () => {
    const d = mkdtempSync(join(tmpdir(), "hook-seen-"));
    dirs.push(d);
    return d;
  };
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it("an event id or a delivery id seen before, per provider, is a duplicate; empty ids never are", () => {
    const seen = new SeenIds(dir());
    expect(seen.check("stripe", ["evt_1", "d1"])).toBe(false);
    expect(seen.check("stripe", ["evt_1", "d2"])).toBe(true);
    expect(seen.check("stripe", ["evt_2", "d1"])).toBe(true);
    expect(seen.check("github", ["evt_1"])).toBe(false);
    expect(seen.check("stripe", [undefined, ""])).toBe(false);
    expect(seen.check("stripe", [undefined, ""])).toBe(false);
    // Spaces in an id cannot split a line of the file.
    expect(seen.check("x", ["a b"])).toBe(false);
    expect(seen.check("x", ["a_b"])).toBe(true);
  });

  it("remembers across runs once flushed, one id a line", () => {
    const d = dir();
    const first = new SeenIds(d);
    first.check("stripe", ["evt_1", "d1"]);
    first.check("stripe", ["evt_2"]);
    first.flush();
    expect(readFileSync(join(d, "seen-ids.txt"), "utf8")).toBe("stripe evt_1\nstripe d1\nstripe evt_2\n");
    first.flush();
    expect(readFileSync(join(d, "seen-ids.txt"), "utf8")).toBe("stripe evt_1\nstripe d1\nstripe evt_2\n");
    const second = new SeenIds(d);
    expect(second.check("stripe", ["evt_2"])).toBe(true);
    expect(second.check("stripe", ["evt_3"])).toBe(false);
  });

  it("writes new ids on its own shortly after, without a flush", async () => {
    const d = dir();
    new SeenIds(d).check("stripe", ["evt_late"]);
    for (let i = 0; i < 100; i++) {
      if (readFileSync(join(d, "seen-ids.txt"), { encoding: "utf8", flag: "a+" }).includes("evt_late")) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(readFileSync(join(d, "seen-ids.txt"), "utf8")).toBe("stripe evt_late\n");
  });

  it("makes the data dir when it is gone, and a dir it cannot write stops nothing", () => {
    const d = join(dir(), "not", "yet");
    const seen = new SeenIds(d);
    seen.check("s", ["1"]);
    seen.flush();
    expect(readFileSync(join(d, "seen-ids.txt"), "utf8")).toBe("s 1\n");
    const blocked = join(dir(), "file");
    writeFileSync(blocked, "x");
    const broken = new SeenIds(join(blocked, "sub"));
    broken.check("s", ["1"]);
    expect(() => broken.flush()).not.toThrow();
    expect(broken.check("s", ["1"])).toBe(true);
  });

  it("keeps the newest 100,000 ids and trims a file that grew past twice that", () => {
    const d = dir();
    const lines = Array.from({ length: 200_001 }, (_, i) => `s ${i}`);
    writeFileSync(join(d, "seen-ids.txt"), `${lines.join("\n")}\n`);
    const seen = new SeenIds(d);
    const kept = readFileSync(join(d, "seen-ids.txt"), "utf8").split("\n").filter(Boolean);
    expect(kept).toHaveLength(100_000);
    expect(kept[0]).toBe("s 100001");
    expect(seen.check("s", ["100001"])).toBe(true);
    expect(seen.check("s", ["100000"])).toBe(false);
  });

  it("a file under twice the limit is left as it is, its newest 100,000 ids known", () => {
    const d = dir();
    const lines = Array.from({ length: 150_000 }, (_, i) => `s ${i}`);
    writeFileSync(join(d, "seen-ids.txt"), `${lines.join("\n")}\n`);
    const seen = new SeenIds(d);
    expect(readFileSync(join(d, "seen-ids.txt"), "utf8").split("\n").filter(Boolean)).toHaveLength(150_000);
    expect(seen.check("s", ["50000"])).toBe(true);
    expect(seen.check("s", ["49999"])).toBe(false);
  });
});
