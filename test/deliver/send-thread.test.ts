import { MessageChannel, type MessagePort } from "node:worker_threads";
import Stripe from "stripe";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { ForwardResult } from "../../src/deliver/forward.js";
import type { SendThreadInit } from "../../src/deliver/sender.js";
import { Target } from "../helpers/target.js";
import { entry } from "./helpers.js";

const SECRET = "whsec_thread_test";

// The delivery thread's code, run here: its port is one end of a real MessageChannel (messages are
// copied just as between threads) and the test holds the other, as ThreadSender does.
const thread = vi.hoisted(() => ({ init: undefined as unknown, port: undefined as unknown }));
vi.mock("node:worker_threads", async (original) => ({
  ...(await original<typeof import("node:worker_threads")>()),
  get parentPort() {
    return thread.port;
  },
  get workerData() {
    return thread.init;
  },
}));

describe("the delivery thread", () => {
  let target: Target;
  let main: MessagePort;
  let closed: Promise<void>;
  const replies = new Map<number, (result: ForwardResult) => void>();
  const send = (id: number, message: Record<string, unknown>) =>
    new Promise<ForwardResult>((resolve) => {
      replies.set(id, resolve);
      main.postMessage({ id, now: Date.now(), ...message });
    });

  beforeAll(async () => {
    target = await new Target().start();
    const channel = new MessageChannel();
    main = channel.port1;
    main.on("message", (m: { id: number; result: ForwardResult }) => replies.get(m.id)?.(m.result));
    closed = new Promise((resolve) => channel.port2.once("close", () => resolve()));
    thread.port = channel.port2;
    thread.init = {
      target: `${target.url}/app`,
      timeoutMs: 5_000,
      provider: "stripe",
      providerOptions: {},
      secret: SECRET,
      env: {},
    } satisfies SendThreadInit;
    await import("../../src/deliver/send-thread.js");
  });
  afterAll(async () => {
    main.close();
    await target.close();
  });

  it("signs each entry afresh and sends it to the target; answers with the outcome, not the answer", async () => {
    target.respond = () => ({ status: 202, body: "a long answer the main thread does not need" });
    const payload = '{"id":"evt_t","type":"charge.succeeded"}';
    const result = await send(1, {
      entry: { ...entry(1, { provider: "stripe", body: Buffer.from(payload) }), seq: 1 },
    });
    expect(result).toMatchObject({ ok: true, status: 202, headers: [] });
    expect(result.ok && result.body.length).toBe(0);
    const [got] = target.received;
    expect(got?.url).toBe("/app/p1");
    const event = Stripe.webhooks.constructEvent(
      got?.body as Buffer,
      got?.headers["stripe-signature"] as string,
      SECRET,
    );
    expect(event.id).toBe("evt_t");
  });

  it("a failure is passed back as it is", async () => {
    target.respond = () => ({ status: 500 });
    const down = await send(2, { entry: { ...entry(2), seq: 2 } });
    expect(down).toMatchObject({ ok: true, status: 500 });
  });

  it("a request that cannot even be built is still answered, as a failure", async () => {
    const result = await send(3, { entry: { ...entry(3), seq: 3, headers: null } });
    expect(result).toMatchObject({ ok: false, kind: "unreachable", why: "error", latencyMs: 0 });
    expect(result.ok ? "" : result.error).toMatch(/not iterable/);
  });

  it("closes its forwarder and its port when told", async () => {
    main.postMessage({ close: 0 });
    await closed;
  });

  it("with no provider, sends each entry as it arrived", async () => {
    target.respond = () => ({ status: 200 });
    const channel = new MessageChannel();
    const answers = new Promise<ForwardResult>((resolve) =>
      channel.port1.once("message", (m: { result: ForwardResult }) => resolve(m.result)),
    );
    thread.port = channel.port2;
    thread.init = {
      target: target.url,
      timeoutMs: 5_000,
      providerOptions: {},
      env: {},
    } satisfies SendThreadInit;
    vi.resetModules();
    await import("../../src/deliver/send-thread.js");
    const signed = entry(4, { provider: "stripe", headers: [["stripe-signature", "t=1,v1=00"]] });
    channel.port1.postMessage({ id: 1, now: Date.now(), entry: { ...signed, seq: 4 } });
    expect(await answers).toMatchObject({ ok: true, status: 200 });
    expect(target.received.at(-1)?.headers["stripe-signature"]).toBe("t=1,v1=00");
    channel.port1.postMessage({ close: 0 });
    channel.port1.close();
  });
});
