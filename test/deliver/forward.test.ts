import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Forwarder } from "../../src/deliver/forward.js";
import { Target } from "../helpers/target.js";

describe("forwarding one request", () => {
  let target: Target;
  let forwarder: Forwarder | undefined;
  beforeEach(async () => {
    target = await new Target().start();
  });
  afterEach(async () => {
    await forwarder?.close(0);
    forwarder = undefined;
    await target.close();
  });

  it("sends method, end-to-end headers and the exact body; brings back status, headers and body", async () => {
    target.respond = () => ({
      status: 201,
      headers: { "X-Answer": "yes", Connection: "keep-alive", "Keep-Alive": "timeout=5" },
      body: "made",
    });
    forwarder = new Forwarder(new URL(`${target.url}/app`), 5_000, {});
    const body = Buffer.from([0, 1, 2, 0xff]);
    const result = await forwarder.send({
      method: "PATCH",
      path: "/in?a=1",
      headers: [
        ["X-Custom", "1"],
        ["Connection", "x-hop"],
        ["X-Hop", "gone"],
        ["Host", "evil.example"],
      ],
      body,
    });
    const [got] = target.received;
    expect([got?.method, got?.url, got?.headers["x-custom"], got?.headers["x-hop"]]).toEqual([
      "PATCH",
      "/app/in?a=1",
      "1",
      undefined,
    ]);
    expect(got?.headers.host).toBe(`127.0.0.1:${target.port}`);
    expect(got?.body.equals(body)).toBe(true);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.status).toBe(201);
    expect(result.body.toString()).toBe("made");
    expect(result.headers).toContainEqual(["x-answer", "yes"]);
    expect(result.headers.map(([name]) => name)).not.toContain("connection");
    expect(result.headers.map(([name]) => name)).not.toContain("keep-alive");
    expect(result.latencyMs).toBeGreaterThanOrEqual(0);
  });

  it("a header the app repeats comes back once per value, in order", async () => {
    const server: Server = createServer((_req, res) => {
      res.setHeader("Set-Cookie", ["a=1", "b=2"]);
      res.setHeader("X-One", "1");
      res.end("ok");
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as AddressInfo).port;
    forwarder = new Forwarder(new URL(`http://127.0.0.1:${port}`), 5_000, {});
    const result = await forwarder.send({ method: "GET", path: "/", headers: [], body: Buffer.alloc(0) });
    await forwarder.close(0);
    forwarder = undefined;
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    expect(result.ok && result.headers.filter(([name]) => name === "set-cookie" || name === "x-one")).toEqual(
      [
        ["set-cookie", "a=1"],
        ["set-cookie", "b=2"],
        ["x-one", "1"],
      ],
    );
  });

  it("an app that does not answer in time is a timeout, its own kind", async () => {
    target.respond = () => ({ status: 200, delayMs: 2_000 });
    forwarder = new Forwarder(new URL(target.url), 100, {});
    const result = await forwarder.send({ method: "POST", path: "/", headers: [], body: Buffer.from("x") });
    expect(result).toMatchObject({ ok: false, kind: "timeout", why: "timeout" });
  });

  it("a refused connection is unreachable, and says why in a word the sender may see", async () => {
    forwarder = new Forwarder(new URL(`http://127.0.0.1:${await Target.freePort()}`), 2_000, {});
    const result = await forwarder.send({ method: "POST", path: "/", headers: [], body: Buffer.from("x") });
    expect(result).toMatchObject({ ok: false, kind: "unreachable", why: "refused" });
  });
});
