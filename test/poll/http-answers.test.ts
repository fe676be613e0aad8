import { createHash } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { HookError } from "../../src/errors.js";
import { httpSource, pick } from "../../src/poll/http.js";
import { LocalServer } from "../helpers/local-server.js";
import { Target } from "../helpers/target.js";
import { onePass, tempDir } from "./helpers/run-pass.js";

/** A JSON API whose answer the test decides per request. */
class JsonApi extends LocalServer {
  readonly urls: string[] = [];
  answer: (url: URL) => unknown = () => [];
  raw: string | undefined;

  protected handle(req: IncomingMessage, res: ServerResponse): void {
    this.urls.push(req.url ?? "");
    res.writeHead(200, { "content-type": "application/json" });
    res.end(this.raw ?? JSON.stringify(this.answer(new URL(req.url ?? "/", "http://x"))));
  }
}

describe("poll http: what the API answers", () => {
  let api: JsonApi;
  let target: Target;
  let statePath: string;

  beforeEach(async () => {
    api = await new JsonApi().start();
    target = await new Target().start();
    statePath = join(tempDir(), "http.json");
  });
  afterEach(async () => {
    await api.close();
    await target.close();
  });

  type Extra = { items?: string; id?: string; time?: string; cursorParam?: string; since?: Date | "all" };
  const source = (extra: Extra = {}, path = "/feed") =>
    httpSource({
      url: new URL(`${api.url}${path}`),
      items: extra.items ?? "",
      id: extra.id ?? "id",
      time: extra.time,
      cursorParam: extra.cursorParam,
      sign: (body, deliveryId) => ({ "x-sig": `${body.length}:${deliveryId}` }),
    });
  const run = (extra: Extra = {}) =>
    onePass({ provider: "http", source: source(extra), statePath, target: target.url, since: extra.since });
  const failure = (extra: Extra = {}) =>
    run(extra).then(
      () => undefined,
      (error: unknown) => error as HookError,
    );
  const ids = () => target.received.map((r) => (JSON.parse(r.body.toString("utf8")) as { id: unknown }).id);

  it("the state is keyed by the URL's host and path, plus a hash of the whole URL", () => {
    const port = new URL(api.url).port;
    const hash = (href: string) => createHash("sha256").update(href).digest("hex").slice(0, 8);
    expect(source({}, "/api/v2/events/").key).toBe(
      `127.0.0.1-${port}-api-v2-events-${hash(`${api.url}/api/v2/events/`)}`,
    );
    expect(source({}, "/api//v2//").key).toBe(`127.0.0.1-${port}-api-v2-${hash(`${api.url}/api//v2//`)}`);
    expect(source({}, "/feed?team=a").key).not.toBe(source({}, "/feed?team=b").key);
  });

  it("each item is POSTed as JSON, signed over the exact body, with its id as the delivery id", async () => {
    api.answer = () => [{ id: 7, what: "ü" }];
    await run({ since: "all" });
    expect(target.received).toHaveLength(1);
    const [request] = target.received;
    expect(request?.body.toString("utf8")).toBe('{"id":7,"what":"ü"}');
    expect(request?.headers).toMatchObject({
      "content-type": "application/json",
      "user-agent": "hook-poll",
      "x-sig": `${request?.body.length}:7`,
    });
  });

  it('--items "." or "" is the top-level list; a dot path reaches inside objects', async () => {
    api.answer = () => ({ data: { rows: [{ id: "r1" }] } });
    await run({ items: "data.rows", since: "all" });
    api.answer = () => [{ id: "t1" }];
    await run({ items: ".", since: "all" });
    expect(ids()).toEqual(["r1", "t1"]);
    expect(pick({ a: { b: [1] } }, "a.b")).toEqual([1]);
    expect(pick({ a: null }, "a.b")).toBeUndefined();
    expect(pick({ a: "text" }, "a.length")).toBeUndefined();
  });

  it("--time orders the items oldest first, whatever order the API lists them in", async () => {
    api.answer = () => [
      { id: "b", at: "2026-01-01T00:00:02+00:00" },
      { id: "first", at: 1_000_000_000_000 },
      { id: "c", at: 1_767_225_603 },
      { id: "a", at: "1767225601" },
      { id: "d", at: 1_767_225_604_000 },
      { id: "e", at: "1767225605.25" },
    ];
    await run({ time: "at", since: "all" });
    // 1e12 is read as milliseconds (2001-09-09), smaller numbers as seconds.
    expect(ids()).toEqual(["first", "a", "b", "c", "d", "e"]);
  });

  it("--since delivers only items at or after it (by --time)", async () => {
    api.answer = () => [
      { id: "old", at: "2026-01-01T00:00:00Z" },
      { id: "edge", at: "2026-01-02T00:00:00Z" },
      { id: "new", at: "2026-01-03T00:00:00Z" },
    ];
    await run({ time: "at", since: new Date("2026-01-02T00:00:00Z") });
    expect(ids()).toEqual(["edge", "new"]);
  });

  it("the first run from now sees the list as delivered; with --cursor-param the newest id is the cursor", async () => {
    api.answer = () => [
      { id: "x2", at: 2 },
      { id: "x1", at: 1 },
    ];
    const first = await run({ time: "at", cursorParam: "after" });
    expect(first.result.skipped).toBe(2);
    expect(first.events.find((e) => e.kind === "poll")).toMatchObject({ count: 2 });
    expect(first.state.data.cursor).toBe("x2");
    expect(first.state.seen("x1")).toBe(true);
    expect(api.urls).toEqual(["/feed"]);
    const plain = join(tempDir(), "plain.json");
    const bare = await onePass({
      provider: "http",
      source: source({ time: "at" }),
      statePath: plain,
      target: target.url,
    });
    expect(bare.state.data.cursor).toBeUndefined();
    expect(bare.state.seen("x2")).toBe(true);
    expect(target.received).toHaveLength(0);
  });

  it("a first run from now over an empty list, or a backfill, sends no cursor until one is known", async () => {
    const empty = await run({ cursorParam: "after" });
    expect(empty.result.skipped).toBe(0);
    api.answer = () => [{ id: "k1" }];
    statePath = join(tempDir(), "backfill.json");
    await run({ cursorParam: "after", since: "all" });
    expect(api.urls).toEqual(["/feed", "/feed", "/feed?after=k1"]);
    expect(ids()).toEqual(["k1"]);
  });

  it("a cursor API that never runs dry is asked at most 50 times in one pass", async () => {
    let n = 0;
    api.answer = () => {
      n += 1;
      return [{ id: `c${n}` }];
    };
    await run({ cursorParam: "after" });
    api.urls.length = 0;
    const { result } = await run({ cursorParam: "after" });
    expect(api.urls).toHaveLength(50);
    expect(api.urls[0]).toBe("/feed?after=c1");
    expect(api.urls[49]).toBe("/feed?after=c50");
    expect(result.delivered).toBe(50);
  });

  it("an answer that is not JSON, or items without an id or time, are errors naming the flag", async () => {
    api.raw = "<html>oops</html>";
    let error = await failure();
    expect(error).toBeInstanceOf(HookError);
    expect(error?.message).toBe(`poll: ${new URL(api.url).host} did not answer JSON`);
    expect(error?.hint).toBe("check --url");
    api.raw = undefined;

    api.answer = () => [{ id: "a" }, { name: "no id" }];
    error = await failure({ since: "all" });
    expect(error?.message).toBe('poll: item 1 has no --id "id" (a string or number)');
    expect(error?.hint).toBe("check --id");
    api.answer = () => [{ id: { nested: 1 } }];
    expect((await failure({ since: "all" }))?.message).toMatch(/item 0 has no --id/);

    api.answer = () => [{ id: "a", at: "yesterday" }];
    error = await failure({ time: "at", since: "all" });
    expect(error?.message).toBe('poll: item 0 has no readable --time "at"');
    expect(error?.hint).toBe("the time must be an ISO date or a Unix time in seconds or milliseconds");
    api.answer = () => [{ id: "a", at: ["2026-01-01T00:00:00Z"] }];
    expect((await failure({ time: "at", since: "all" }))?.message).toMatch(/no readable --time/);
    api.answer = () => [{ id: "a", at: true }];
    expect((await failure({ time: "at", since: "all" }))?.message).toMatch(/no readable --time/);
    api.answer = () => [{ id: "a" }];
    expect((await failure({ time: "at", since: "all" }))?.message).toMatch(/no readable --time/);
    expect(target.received).toHaveLength(0);
  });

  it("an --items path that is not a list names the answer's keys, or says there are none", async () => {
    api.answer = () => ({ result: {}, meta: 1 });
    expect((await failure({ items: "items" }))?.hint).toBe("the answer's top-level keys: result, meta");
    api.answer = () => 42;
    const error = await failure({ items: "items" });
    expect(error?.message).toBe(
      `poll: --items "items" is not a list in the answer of ${new URL(api.url).host}`,
    );
    expect(error?.hint).toBe("the answer's top-level keys: (none)");
    api.answer = () => null;
    expect((await failure({ items: "items" }))?.hint).toBe("the answer's top-level keys: (none)");
  });
});
