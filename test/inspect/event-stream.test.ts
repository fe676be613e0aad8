import { createServer, get, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { EventStream } from "../../src/inspect/event-stream.js";
import { History } from "../../src/inspect/history.js";

/** An EventStream behind a real server, and a client that reads its text as it comes. */
async function streaming(batch: boolean, keep?: number) {
  const stream = new EventStream(new History());
  const server = createServer((_req, res) => stream.attach(res, undefined, batch, keep));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  let text = "";
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) =>
    get(`http://127.0.0.1:${port}/`, (res) => {
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        text += chunk;
      });
      resolve();
    }),
  );
  await until(() => text.includes("retry:"));
  return { stream, server, text: () => text };
}

async function until(check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** The `requests` events' arrays (numbers of what each held) and ids. */
function batches(text: string): { id: number; ns: number[] }[] {
  return [...text.matchAll(/id: (\d+)\nevent: requests\ndata: (.*)\n\n/g)].map((m) => ({
    id: Number(m[1]),
    ns: (JSON.parse(m[2] as string) as { n: number }[]).map((s) => s.n),
  }));
}

let open: { stream: EventStream; server: Server } | undefined;
afterEach(() => {
  open?.stream.close();
  open?.server.closeAllConnections();
  open?.server.close();
  open = undefined;
});

describe("EventStream: what a page that keeps N summaries is sent", () => {
  it("keep=N: of a batch only the newest N are serialised and sent, under the batch's last id", async () => {
    const client = await streaming(true, 3);
    open = client;
    const made: number[] = [];
    const publish = (n: number) =>
      client.stream.publish("request", n, () => {
        made.push(n);
        return { n };
      });
    // A first request after a quiet spell goes out at once (within one 50 ms flush).
    publish(1);
    await until(() => batches(client.text()).length === 1);
    // Then a burst inside the next window: one batch, its newest three.
    for (let n = 2; n <= 9; n += 1) publish(n);
    await until(() => batches(client.text()).length === 2);
    expect(batches(client.text())).toEqual([
      { id: 1, ns: [1] },
      { id: 9, ns: [7, 8, 9] },
    ]);
    expect(made).toEqual([1, 7, 8, 9]);
  });

  it("a burst's batch waits for the window (the page draws no more often), not for ever", async () => {
    const client = await streaming(true, 1000);
    open = client;
    client.stream.publish("request", 1, () => ({ n: 1 }));
    await until(() => batches(client.text()).length === 1);
    const sent = Date.now();
    client.stream.publish("request", 2, () => ({ n: 2 }));
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(batches(client.text())).toHaveLength(1);
    await until(() => batches(client.text()).length === 2, 2_000);
    expect(Date.now() - sent).toBeLessThan(2_000);
  });

  it("without keep every request of a batch is sent", async () => {
    const client = await streaming(true);
    open = client;
    for (let n = 1; n <= 5; n += 1) client.stream.publish("request", n, () => ({ n }));
    await until(() => batches(client.text()).length === 1);
    expect(batches(client.text())).toEqual([{ id: 5, ns: [1, 2, 3, 4, 5] }]);
  });

  it("a delivery between requests keeps its place: the batch before it goes first", async () => {
    const client = await streaming(true, 10);
    open = client;
    client.stream.publish("request", 1, () => ({ n: 1 }));
    await until(() => batches(client.text()).length === 1);
    client.stream.publish("request", 2, () => ({ n: 2 }));
    client.stream.publish("delivery", undefined, () => ({ n: 2, ok: true }));
    await until(() => client.text().includes("event: delivery"));
    const text = client.text();
    expect(text.indexOf("id: 2\nevent: requests")).toBeGreaterThan(-1);
    expect(text.indexOf("id: 2\nevent: requests")).toBeLessThan(text.indexOf("event: delivery"));
  });
});
