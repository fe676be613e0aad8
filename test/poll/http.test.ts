import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { Webhook } from "standardwebhooks";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { HookError } from "../../src/errors.js";
import { httpSource } from "../../src/poll/http.js";
import { getProvider } from "../../src/providers/index.js";
import { Target } from "../helpers/target.js";
import { onePass, tempDir } from "./helpers/run-pass.js";

const SECRET = `whsec_${Buffer.from("a generic api secret").toString("base64")}`;

interface Item {
  uid: number;
  at: string;
  what: string;
}

/** A generic JSON API: { result: { items: [...] } }, newest first, `?after=<uid>` for newer items only. */
class FakeListApi {
  readonly items: Item[] = [];
  readonly urls: string[] = [];
  readonly server: Server = createServer((req, res) => {
    this.urls.push(req.url ?? "");
    const after = new URL(req.url ?? "/", "http://x").searchParams.get("after");
    const list = this.items.filter((i) => after === null || i.uid > Number(after)).toReversed();
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ result: { items: list } }));
  });
  private n = 0;

  add(count: number): Item[] {
    const added = Array.from({ length: count }, () => {
      this.n += 1;
      return {
        uid: this.n,
        at: new Date(Date.UTC(2026, 0, 1, 0, 0, this.n)).toISOString(),
        what: `thing ${this.n}`,
      };
    });
    this.items.push(...added);
    return added;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/api/events`;
  }
}

describe("poll http", () => {
  let api: FakeListApi;
  let target: Target;
  let statePath: string;

  beforeEach(async () => {
    api = new FakeListApi();
    await new Promise<void>((resolve) => api.server.listen(0, "127.0.0.1", resolve));
    target = await new Target().start();
    statePath = join(tempDir(), "http.json");
  });
  afterEach(async () => {
    api.server.closeAllConnections();
    await new Promise<void>((resolve) => api.server.close(() => resolve()));
    await target.close();
  });

  const run = (extra: { cursorParam?: string; items?: string; since?: "all" } = {}) => {
    const standard = getProvider("standard");
    return onePass({
      provider: "http",
      source: httpSource({
        url: new URL(api.url),
        items: extra.items ?? "result.items",
        id: "uid",
        time: "at",
        cursorParam: extra.cursorParam,
        sign: (body, deliveryId) =>
          standard.sign({ body, secret: SECRET, timestamp: new Date(), deliveryId }),
      }),
      statePath,
      target: target.url,
      since: extra.since,
    });
  };
  const delivered = () => target.received.map((r) => (JSON.parse(r.body.toString("utf8")) as Item).uid);

  it("sends the last delivered id as the cursor parameter and delivers oldest first, signed", async () => {
    api.add(5);
    const first = await run({ cursorParam: "after" });
    expect(first.calls).toBe(1);
    expect(target.received).toHaveLength(0);
    api.add(3);
    const second = await run({ cursorParam: "after" });
    expect(api.urls[1]).toBe("/api/events?after=5");
    expect(second.result.delivered).toBe(3);
    expect(delivered()).toEqual([6, 7, 8]);
    // It asks again with the new cursor until nothing is new.
    expect(api.urls[2]).toBe("/api/events?after=8");
    expect(second.calls).toBe(2);
    const wh = new Webhook(SECRET);
    for (const request of target.received) {
      const headers = Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [k, String(v)]));
      expect(() => wh.verify(request.body.toString("utf8"), headers)).not.toThrow();
    }
    expect(target.received[0]?.headers["webhook-id"]).toBe("6");
  });

  it("without a cursor parameter, delivers the ids it has not delivered before", async () => {
    api.add(2);
    await run();
    api.add(2);
    await run();
    await run();
    expect(delivered()).toEqual([3, 4]);
    const all = await run({ since: "all" });
    expect(all.result.delivered).toBe(0);
  });

  it("says which --items path is not a list", async () => {
    api.add(1);
    const failure = (await run({ items: "result.rows" }).catch((error: unknown) => error)) as HookError;
    expect(failure).toBeInstanceOf(HookError);
    expect(failure.message).toMatch(/--items "result.rows" is not a list/);
    expect(failure.hint).toMatch(/result/);
  });
});
