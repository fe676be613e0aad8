import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { HttpClient } from "../../src/net/client.js";
import { deliver, lowerCased } from "../../src/poll/delivery.js";
import { Target } from "../helpers/target.js";

describe("poll delivery", () => {
  let target: Target;
  let http: HttpClient;

  beforeEach(async () => {
    target = await new Target().start();
    http = new HttpClient({ env: {} });
  });
  afterEach(async () => {
    await http.close(0);
    await target.close();
  });

  const send = (url = `${target.url}/hooks/in?team=a`) =>
    deliver(http, new URL(url), { body: Buffer.from('{"a":1}'), headers: { "X-Sig": "s1" } }, 5000);

  it("POSTs the body to the target's path and query, header names lower-cased", async () => {
    const result = await send();
    expect(result).toMatchObject({ ok: true, status: 200, error: undefined });
    expect(Buffer.from(result.responseBody ?? []).toString()).toBe("ok");
    expect(Number.isInteger(result.ms)).toBe(true);
    expect(target.received).toHaveLength(1);
    expect(target.received[0]).toMatchObject({ method: "POST", url: "/hooks/in?team=a" });
    expect(target.received[0]?.body.toString()).toBe('{"a":1}');
    expect(target.received[0]?.headers["x-sig"]).toBe("s1");
  });

  it("only a 2xx counts: a redirect or an error page is an answer the app did not take", async () => {
    const outcomes: [number, boolean][] = [];
    for (const status of [200, 204, 299, 300, 302, 400, 500]) {
      target.respond = () => ({ status, body: "no" });
      const result = await send();
      outcomes.push([status, result.ok]);
      expect(result.status).toBe(status);
      expect(result.error).toBe(result.ok ? undefined : `answered ${status}`);
    }
    expect(outcomes).toEqual([
      [200, true],
      [204, true],
      [299, true],
      [300, false],
      [302, false],
      [400, false],
      [500, false],
    ]);
  });

  it("keeps the first 64 KiB of the app's answer", async () => {
    target.respond = () => ({ status: 400, body: "x".repeat(200 * 1024) });
    const result = await send();
    expect(result.ok).toBe(false);
    expect(result.responseBody?.length).toBe(64 * 1024);
  });

  it("an app that is down is a failed delivery with the reason and what to check", async () => {
    const port = await Target.freePort();
    const result = await send(`http://127.0.0.1:${port}/x`);
    expect(result.ok).toBe(false);
    expect(result.status).toBeUndefined();
    expect(result.error).toBe(
      `connection refused by 127.0.0.1:${port} (is the app running and listening on that port?)`,
    );
  });

  it("one spelling per header name, the later one winning", () => {
    expect(lowerCased({ "Content-Type": "a", "content-type": "b", "X-One": "1" })).toEqual({
      "content-type": "b",
      "x-one": "1",
    });
  });
});
