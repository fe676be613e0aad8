/** The outbox's delivery thread (see ThreadSender): signs and sends what the main thread hands it. */
import { parentPort, workerData } from "node:worker_threads";
import { errorMessage } from "../errors.js";
import { getProvider } from "../providers/index.js";
import { Forwarder, type ForwardResult } from "./forward.js";
import type { OutboxEntry } from "./journal.js";
import { signer } from "./resign.js";
import type { SendThreadInit } from "./sender.js";

const init = workerData as SendThreadInit;
const forwarder = new Forwarder(new URL(init.target), init.timeoutMs, init.env);
const sign = signer(
  init.provider ? getProvider(init.provider, init.providerOptions) : undefined,
  init.secret,
  init.resignAll,
);
const port = parentPort as NonNullable<typeof parentPort>;

port.on("message", async (message: { id: number; entry: OutboxEntry; now: number } | { close: number }) => {
  if ("close" in message) {
    await forwarder.close(message.close);
    port.close();
    return;
  }
  let result: ForwardResult;
  try {
    result = await forwarder.send(sign.request(message.entry, new Date(message.now)));
  } catch (error) {
    result = { ok: false, kind: "unreachable", error: errorMessage(error), why: "error", latencyMs: 0 };
  }
  // The outbox needs the outcome, not the answer's headers and body: less to copy between threads.
  const slim = result.ok ? { ...result, headers: [], body: Buffer.alloc(0) } : result;
  port.postMessage({ id: message.id, result: slim });
});
