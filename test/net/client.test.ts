import { createServer, type Server, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { HttpClient, type NetRequest } from "../../src/net/client.js";
import { type Exchange, requireWhole } from "../../src/net/exchange.js";
import { ForwardProxy, TlsFront } from "../helpers/forward-proxy.js";
import { Target } from "../helpers/target.js";

const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

function client(env: Record<string, string | undefined> = {}): HttpClient {
  const http = new HttpClient({ env });
  closers.push(() => http.close(0));
  return http;
}

async function target(): Promise<Target> {
  const t = await new Target().start();
  closers.push(() => t.close());
  return t;
}

const post = (origin: string, path = "/hook"): NetRequest => ({
  origin,
  path,
  method: "POST",
  headers: { "content-type": "application/json" },
  body: Buffer.from('{"id":"evt_1"}'),
});

const failure = (exchange: Exchange) => {
  if (exchange.ok) throw new Error(`expected a failure, got ${exchange.status}`);
  return exchange.failure;
};

describe("HttpClient: every call bounded", () => {
  it("a deadline for the whole exchange: an answer that trickles forever is cut", async () => {
    const t = await target();
    t.respond = () => ({ status: 200, stream: "slow" });
    const answer = await client().send(post(t.url), { deadlineMs: 300, maxBytes: 1024 * 1024 });
    expect(failure(answer)).toMatchObject({
      kind: "timeout",
      message: `no complete answer from 127.0.0.1:${t.port} within 300ms`,
    });
  });

  it("reads at most maxBytes of an answer that never ends, and keeps its status and start", async () => {
    const t = await target();
    t.respond = () => ({ status: 500, body: "Error: bad body\nmore", stream: "flood" });
    const answer = await client().send(post(t.url), {
      deadlineMs: 20_000,
      maxBytes: 256 * 1024,
      keepBytes: 1024,
    });
    expect(answer.ok).toBe(true);
    if (!answer.ok) return;
    expect(answer.status).toBe(500);
    expect(answer.truncated).toBe(true);
    expect(answer.body.length).toBe(1024);
    expect(answer.body.toString().startsWith("Error: bad body\nmore")).toBe(true);
  });

  it("where a cut body is useless (an API page), an answer over the cap is a failure that says so", async () => {
    const t = await target();
    t.respond = () => ({ status: 200, body: "[", stream: "flood" });
    const answer = await client().send(post(t.url), { deadlineMs: 20_000, maxBytes: 64 * 1024 });
    expect(failure(requireWhole(answer, t.url, 64 * 1024))).toEqual({
      kind: "too-large",
      message: `the answer of 127.0.0.1:${t.port} is larger than 64kb`,
    });
  });

  it("keeps a whole small answer, untruncated", async () => {
    const t = await target();
    t.respond = () => ({ status: 200, body: "ok" });
    const answer = await client().send(post(t.url), { deadlineMs: 5_000, maxBytes: 1024, keepBytes: 64 });
    expect(answer).toMatchObject({ ok: true, status: 200, truncated: false });
    if (answer.ok) expect(answer.body.toString()).toBe("ok");
  });

  it("stops when its signal aborts (Ctrl-C)", async () => {
    const t = await target();
    t.respond = () => ({ status: 200, stream: "slow" });
    const controller = new AbortController();
    const pending = client().send(post(t.url), {
      deadlineMs: 20_000,
      maxBytes: 1024,
      signal: controller.signal,
    });
    await t.waitFor(1);
    controller.abort();
    expect(failure(await pending).kind).toBe("aborted");
  });
});

describe("describeNetworkError, through real failures", () => {
  it("connection refused names host and port, with a hint", async () => {
    const port = await Target.freePort();
    const f = failure(
      await client().send(post(`http://127.0.0.1:${port}`), { deadlineMs: 5_000, maxBytes: 1024 }),
    );
    expect(f).toEqual({
      kind: "refused",
      message: `connection refused by 127.0.0.1:${port}`,
      hint: "is the app running and listening on that port?",
    });
  });

  it("a host that does not resolve", async () => {
    const f = failure(
      await client().send(post("http://app.test:4000"), { deadlineMs: 10_000, maxBytes: 1024 }),
    );
    expect(f.kind).toBe("dns");
    expect(f.message).toBe("host not found: app.test");
  });

  it("a target that hangs up before answering", async () => {
    const server: Server = createServer((socket) => socket.destroy());
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    closers.push(() => new Promise((r) => server.close(r)));
    const port = (server.address() as { port: number }).port;
    const f = failure(
      await client().send(post(`http://127.0.0.1:${port}`), { deadlineMs: 5_000, maxBytes: 1024 }),
    );
    expect(f.kind).toBe("reset");
    expect(f.message).toBe(`127.0.0.1:${port} closed the connection before answering`);
  });

  it("a port that answers something other than HTTP", async () => {
    const sockets: Socket[] = [];
    const server: Server = createServer((socket) => {
      sockets.push(socket);
      socket.end("SSH-2.0-OpenSSH_9.6\r\n\r\n");
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    closers.push(() => {
      for (const socket of sockets) socket.destroy();
      return new Promise((r) => server.close(r));
    });
    const port = (server.address() as { port: number }).port;
    const f = failure(
      await client().send(post(`http://127.0.0.1:${port}`), { deadlineMs: 5_000, maxBytes: 1024 }),
    );
    expect(f.message).toBe(`127.0.0.1:${port} answered with something that is not HTTP`);
  });

  it("a request cut because hook is closing its connections", async () => {
    const t = await target();
    t.respond = () => ({ status: 200, stream: "slow" });
    const http = new HttpClient({ env: {} });
    const pending = http.send(post(t.url), { deadlineMs: 20_000, maxBytes: 1024 });
    await t.waitFor(1);
    await http.close(0);
    expect(failure(await pending)).toMatchObject({
      kind: "aborted",
      message: `the request to 127.0.0.1:${t.port} was cut off: hook is stopping`,
    });
  });

  it("https:// to a plain-http port, and a certificate this machine does not trust", async () => {
    const t = await target();
    const plain = failure(
      await client().send(post(`https://127.0.0.1:${t.port}`), { deadlineMs: 5_000, maxBytes: 1024 }),
    );
    expect(plain.kind).toBe("tls");
    expect(plain.message).toContain("does not speak TLS on that port");
    const front = await new TlsFront(t.port).start();
    closers.push(() => front.close());
    const untrusted = failure(
      await client().send(post(`https://127.0.0.1:${front.port}`), { deadlineMs: 5_000, maxBytes: 1024 }),
    );
    expect(untrusted.kind).toBe("tls");
    expect(untrusted.message).toContain("self-signed or signed by an unknown authority");
    expect(untrusted.hint).toContain("NODE_EXTRA_CA_CERTS");
  });

  it("a proxy that is down, one that wants a login, and one that cannot reach the host", async () => {
    const port = await Target.freePort();
    const down = failure(
      await client({ HTTPS_PROXY: `http://127.0.0.1:${port}` }).send(post("https://api.test"), {
        deadlineMs: 5_000,
        maxBytes: 1024,
      }),
    );
    expect(down).toMatchObject({
      kind: "refused",
      message: `connection refused by the proxy 127.0.0.1:${port}`,
    });
    expect(down.hint).toContain("NO_PROXY");

    const proxy = await new ForwardProxy().start();
    closers.push(() => proxy.close());
    proxy.requireAuth = "Basic secret";
    const login = failure(
      await client({ HTTPS_PROXY: proxy.url }).send(post("https://api.test"), {
        deadlineMs: 5_000,
        maxBytes: 1024,
      }),
    );
    expect(login.kind).toBe("proxy");
    expect(login.message).toContain("asks for a login (407)");
    expect(login.hint).toContain("HTTPS_PROXY=http://user:password@");

    proxy.requireAuth = undefined;
    const closed = await Target.freePort();
    const unreachable = failure(
      await client({ HTTPS_PROXY: proxy.url }).send(post(`https://api.test:${closed}`), {
        deadlineMs: 5_000,
        maxBytes: 1024,
      }),
    );
    expect(unreachable.message).toBe(
      `the proxy ${new URL(proxy.url).host} would not connect to api.test:${closed} (it answered 502)`,
    );
  });
});
