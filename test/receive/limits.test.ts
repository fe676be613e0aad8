import { connect, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { jsonReply } from "../../src/receive/replies.js";
import { type Receiver, type ReceiverLimits, startReceiver } from "../../src/receive/server.js";

/** What a raw socket got before the receiver closed it (or the test gave up on it). */
interface Held {
  socket: Socket;
  received: () => string;
  closed: Promise<string>;
}

/** Resolves once the connection is up, so that the receiver accepts connections in this order. */
function connected(held: Held): Promise<void> {
  return new Promise((resolve) => held.socket.once("connect", () => resolve()));
}

function hold(port: number, bytes: string): Held {
  const socket = connect(port, "127.0.0.1");
  let received = "";
  socket.setEncoding("utf8").on("data", (d: string) => {
    received += d;
  });
  socket.on("error", () => {});
  const closed = new Promise<string>((resolve) => socket.on("close", () => resolve(received)));
  socket.write(bytes);
  return { socket, received: () => received, closed };
}

/** Resolves with `promise`, or rejects once `ms` passed: every wait in these tests is bounded. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${what}: not within ${ms}ms`)), ms)),
  ]);
}

// Shortened so the tests do not wait a minute; the defaults (RECEIVER_LIMITS) are what users get.
const SHORT: Partial<ReceiverLimits> = { headersTimeoutMs: 300, requestTimeoutMs: 600, checkIntervalMs: 50 };

describe("the receiver's limits", () => {
  let receiver: Receiver | undefined;
  const open: Socket[] = [];
  afterEach(async () => {
    for (const socket of open.splice(0)) socket.destroy();
    await receiver?.close(0);
    receiver = undefined;
  });

  async function start(limits: Partial<ReceiverLimits>, delayMs = 0): Promise<number> {
    receiver = await startReceiver({
      host: "127.0.0.1",
      port: 0,
      maxBody: 1024 * 1024,
      now: () => new Date(),
      limits,
      handle: async (incoming) => {
        if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
        return jsonReply(200, { ok: true, bytes: incoming.body.length });
      },
    });
    return receiver.port;
  }

  const post = (port: number, body: string) =>
    fetch(`http://127.0.0.1:${port}/hook`, { method: "POST", body }).then(async (r) => ({
      status: r.status,
      body: (await r.json()) as { bytes: number },
    }));

  /** The receiver counts a closed connection out a moment after the client sees it close. */
  async function postSoon(port: number, body: string): Promise<number> {
    for (let attempt = 0; ; attempt += 1) {
      try {
        return (await post(port, body)).status;
      } catch (error) {
        if (attempt >= 20) throw error;
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  }

  it("drops a body that stalls with 408 and keeps serving everyone else meanwhile", async () => {
    const port = await start(SHORT);
    const stalled = hold(port, "POST /hook HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n0123456789");
    open.push(stalled.socket);
    const other = await post(port, "hello");
    expect(other).toEqual({ status: 200, body: { ok: true, bytes: 5 } });
    expect(stalled.received()).toBe("");
    const got = await within(stalled.closed, 5_000, "the stalled request was not dropped");
    expect(got).toMatch(/^HTTP\/1\.1 408 /);
    expect(receiver?.inFlight()).toBe(0);
  });

  it("drops a sender whose headers never end, well before the whole-request limit", async () => {
    const port = await start({ ...SHORT, requestTimeoutMs: 20_000 });
    const slow = hold(port, "POST /hook HTTP/1.1\r\nHost: x\r\n");
    open.push(slow.socket);
    const got = await within(slow.closed, 5_000, "the half-sent headers were not dropped");
    expect(got).toMatch(/^HTTP\/1\.1 408 /);
  });

  it("does not cut a request whose answer takes longer than the receive limit (a slow app)", async () => {
    const port = await start(SHORT, 1_000);
    expect((await post(port, "slow")).status).toBe(200);
  });

  it("caps open connections: one more is closed at once, and served again once a slot frees up", async () => {
    const port = await start({
      ...SHORT,
      headersTimeoutMs: 20_000,
      requestTimeoutMs: 20_000,
      maxConnections: 2,
    });
    const first = hold(port, "POST /hook HTTP/1.1\r\nHost: x\r\n");
    const second = hold(port, "POST /hook HTTP/1.1\r\nHost: x\r\n");
    open.push(first.socket, second.socket);
    await Promise.all([connected(first), connected(second)]);
    const third = hold(port, "POST /hook HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nhi");
    open.push(third.socket);
    expect(await within(third.closed, 5_000, "the connection over the cap was not closed")).toBe("");
    first.socket.destroy();
    await first.closed;
    expect(await postSoon(port, "again")).toBe(200);
  });
});
