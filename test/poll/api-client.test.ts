import type { IncomingMessage, ServerResponse } from "node:http";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { HookError } from "../../src/errors.js";
import { HttpClient } from "../../src/net/client.js";
import { ApiClient, ApiError, Interrupted } from "../../src/poll/api-client.js";
import type { PollEvent } from "../../src/poll/poll-event.js";
import { LocalServer } from "../helpers/local-server.js";
import { Target } from "../helpers/target.js";

interface Scripted {
  status: number;
  /** Raw header pairs, so a name can repeat. */
  headers?: [string, string][];
  body?: string;
}

/** An API that answers from a script, one reply per request (then 200 with two items). */
class ScriptedApi extends LocalServer {
  readonly replies: Scripted[] = [];
  readonly requests: { method: string; url: string; headers: IncomingMessage["headers"]; body: string }[] =
    [];

  protected async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    this.requests.push({
      method: req.method ?? "",
      url: req.url ?? "",
      headers: req.headers,
      body: Buffer.concat(chunks).toString("utf8"),
    });
    const reply = this.replies.shift() ?? { status: 200, body: '{"items":[1,2]}' };
    res.writeHead(reply.status, [["content-type", "application/json"], ...(reply.headers ?? [])].flat());
    res.end(reply.body ?? "");
  }
}

const NOW = new Date("2026-03-01T12:00:00.000Z");

describe("poll API client", () => {
  let api: ScriptedApi;
  let http: HttpClient;
  let events: PollEvent[];
  let waits: number[];

  beforeEach(async () => {
    api = await new ScriptedApi().start();
    http = new HttpClient({ env: {} });
    events = [];
    waits = [];
  });
  afterEach(async () => {
    await http.close(0);
    await api.close();
  });

  const client = (extra: { maxAttempts?: number; maxWaitMs?: number; signal?: AbortSignal } = {}) =>
    new ApiClient({
      name: "Test API",
      keySource: "--api-key or TEST_KEY",
      headers: { authorization: "Bearer k", "x-both": "from options" },
      http,
      timeoutMs: 5000,
      maxWaitMs: extra.maxWaitMs ?? Number.POSITIVE_INFINITY,
      maxAttempts: extra.maxAttempts ?? 5,
      now: () => NOW,
      sleep: async (ms) => {
        waits.push(ms);
      },
      signal: extra.signal ?? new AbortController().signal,
      emit: (event) => events.push(event),
    });
  const items = (res: { body: Buffer }) =>
    (JSON.parse(res.body.toString("utf8")) as { items: number[] }).items;
  const get = (extra: Parameters<typeof client>[0] = {}) =>
    client(extra).call({ url: `${api.url}/v1/things?page=2` }, items, (v) => v.length);
  const failure = (extra: Parameters<typeof client>[0] = {}) =>
    get(extra).then(
      () => undefined,
      (error: unknown) => error as HookError,
    );
  const reasons = () => events.flatMap((e) => (e.kind === "wait" ? [e.reason] : []));

  it("sends the request as given, the options' headers under its own, and reports the call", async () => {
    const before = performance.now();
    const { value, res } = await client().call(
      {
        url: `${api.url}/api/request?x=1`,
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", "x-both": "from request" },
        body: "data=abc",
      },
      items,
      (v) => v.length,
    );
    const elapsed = performance.now() - before;
    expect(value).toEqual([1, 2]);
    expect(res.status).toBe(200);
    expect(res.headers["content-type"]).toBe("application/json");
    expect(api.requests).toHaveLength(1);
    expect(api.requests[0]).toMatchObject({ method: "POST", url: "/api/request?x=1", body: "data=abc" });
    expect(api.requests[0]?.headers).toMatchObject({
      authorization: "Bearer k",
      "x-both": "from request",
      "content-type": "application/x-www-form-urlencoded",
    });
    expect(events).toHaveLength(1);
    const [poll] = events;
    expect(poll).toMatchObject({
      kind: "poll",
      method: "POST",
      url: `${api.url}/api/request?x=1`,
      status: 200,
      count: 2,
    });
    const ms = poll?.kind === "poll" ? poll.ms : -1;
    expect(Number.isInteger(ms)).toBe(true);
    expect(ms).toBeGreaterThanOrEqual(0);
    expect(ms).toBeLessThanOrEqual(Math.ceil(elapsed));
  });

  it("a GET by default, and a 304 is an answer handed to the parser", async () => {
    api.replies.push({ status: 304 });
    const { res, value } = await client().call(
      { url: `${api.url}/events` },
      (r) => r.status,
      () => undefined,
    );
    expect(res.status).toBe(304);
    expect(value).toBe(304);
    expect(api.requests[0]?.method).toBe("GET");
    expect(events).toEqual([expect.objectContaining({ kind: "poll", method: "GET", status: 304 })]);
  });

  it("repeated answer headers reach the source joined, as one value", async () => {
    api.replies.push({
      status: 200,
      headers: [
        ["link", '<https://x/e?page=2>; rel="next"'],
        ["link", '<https://x/e?page=9>; rel="last"'],
      ],
      body: '{"items":[]}',
    });
    const { res } = await get();
    expect(res.headers.link).toBe('<https://x/e?page=2>; rel="next", <https://x/e?page=9>; rel="last"');
  });

  it("backs off 1s, 2s, 4s ... capped at 30s on 5xx, naming the API and the status, then goes on", async () => {
    for (let i = 0; i < 7; i += 1) api.replies.push({ status: 503 });
    const { value } = await get({ maxAttempts: 8 });
    expect(value).toEqual([1, 2]);
    expect(waits).toEqual([1000, 2000, 4000, 8000, 16_000, 30_000, 30_000]);
    expect(reasons()[0]).toBe("Test API answered 503");
    expect(events.filter((e) => e.kind === "wait").map((e) => e.kind === "wait" && e.ms)).toEqual(waits);
    const polls = events.filter((e) => e.kind === "poll");
    expect(polls).toHaveLength(8);
    expect(polls[0]).toMatchObject({ status: 503, method: "GET", url: `${api.url}/v1/things?page=2` });
    expect(polls[0]).not.toHaveProperty("count");
  });

  it("a 5xx is backed off as documented even when it carries Retry-After", async () => {
    api.replies.push({ status: 503, headers: [["retry-after", "120"]] });
    await get();
    expect(waits).toEqual([1000]);
    expect(reasons()).toEqual(["Test API answered 503"]);
  });

  it("gives up after exactly maxAttempts calls, with the API's words and that nothing was lost", async () => {
    for (let i = 0; i < 3; i += 1)
      api.replies.push({ status: 500, body: JSON.stringify({ error: { message: "Something broke" } }) });
    const error = await failure({ maxAttempts: 3 });
    expect(error).toBeInstanceOf(HookError);
    expect(error?.exitCode).toBe(1);
    expect(error?.message).toBe("Test API: 500 Something broke (gave up after 3 attempts)");
    expect(error?.hint).toBe("nothing was lost; the next run starts from the same cursor");
    expect(api.requests).toHaveLength(3);
    expect(waits).toEqual([1000, 2000]);
  });

  it("a network failure is retried with backoff and given up with its own hint", async () => {
    const port = await Target.freePort();
    const call = client({ maxAttempts: 2 }).call({ url: `http://127.0.0.1:${port}/x` }, items, () => 0);
    const error = (await call.catch((e: unknown) => e)) as HookError;
    expect(error.message).toBe(
      `Test API: connection refused by 127.0.0.1:${port} (gave up after 2 attempts)`,
    );
    expect(error.hint).toBe(
      "check --api-base; behind a proxy, set HTTPS_PROXY; nothing was lost; the next run starts from the same cursor",
    );
    expect(waits).toEqual([1000]);
    expect(reasons()).toEqual([`network error: connection refused by 127.0.0.1:${port}`]);
    expect(events.filter((e) => e.kind === "poll").map((e) => e.kind === "poll" && e.status)).toEqual([0, 0]);
  });

  it("an answer larger than 32 MB is a failed call, not a cut page handed to the parser", async () => {
    api.replies.push({ status: 200, body: `{"items":[${"1,".repeat(17 * 1024 * 1024)}1]}` });
    const error = await failure({ maxAttempts: 1 });
    expect(error?.message).toMatch(/^Test API: the answer of 127\.0\.0\.1:\d+ is larger than 32mb \(gave up/);
  });

  describe("rate limits", () => {
    const limitedBy = async (status: number, headers: [string, string][]) => {
      api.replies.push({ status, headers });
      await get();
      return waits;
    };

    it("429: Retry-After seconds (spaces allowed), an HTTP date, or a minute when it says nothing usable", async () => {
      expect(await limitedBy(429, [["retry-after", " 7 "]])).toEqual([7000]);
      waits.length = 0;
      const inTen = new Date(NOW.getTime() + 10_000).toUTCString();
      expect(await limitedBy(429, [["retry-after", inTen]])).toEqual([10_000]);
      waits.length = 0;
      expect(await limitedBy(429, [["retry-after", "Mon, 01 Jan 2001 00:00:00 GMT"]])).toEqual([0]);
      waits.length = 0;
      expect(await limitedBy(429, [["retry-after", "soon"]])).toEqual([60_000]);
      waits.length = 0;
      expect(await limitedBy(429, [["retry-after", "5s"]])).toEqual([60_000]);
      waits.length = 0;
      expect(await limitedBy(429, [["retry-after", "x5"]])).toEqual([60_000]);
      waits.length = 0;
      expect(await limitedBy(429, [["retry-after", ""]])).toEqual([60_000]);
      waits.length = 0;
      expect(await limitedBy(429, [])).toEqual([60_000]);
      expect(reasons()).toContain("rate limited (429)");
    });

    it("429 with GitHub's exhausted quota waits until x-ratelimit-reset, never less than zero", async () => {
      const reset = String(NOW.getTime() / 1000 + 45);
      expect(
        await limitedBy(429, [
          ["x-ratelimit-remaining", "0"],
          ["x-ratelimit-reset", reset],
        ]),
      ).toEqual([45_000]);
      waits.length = 0;
      const past = String(NOW.getTime() / 1000 - 45);
      expect(
        await limitedBy(429, [
          ["x-ratelimit-remaining", "0"],
          ["x-ratelimit-reset", past],
        ]),
      ).toEqual([0]);
      waits.length = 0;
      // A quota that is not exhausted does not make the reset time the wait.
      expect(
        await limitedBy(429, [
          ["x-ratelimit-remaining", "3"],
          ["x-ratelimit-reset", reset],
        ]),
      ).toEqual([60_000]);
    });

    it("403 is a rate limit with Retry-After or an exhausted quota (a minute without a reset)", async () => {
      expect(await limitedBy(403, [["retry-after", "3"]])).toEqual([3000]);
      waits.length = 0;
      expect(await limitedBy(403, [["x-ratelimit-remaining", "0"]])).toEqual([60_000]);
      waits.length = 0;
      expect(
        await limitedBy(403, [
          ["x-ratelimit-remaining", "0"],
          ["x-ratelimit-reset", "soon"],
        ]),
      ).toEqual([60_000]);
      expect(reasons()).toEqual(["rate limited (403)", "rate limited (403)", "rate limited (403)"]);
    });

    it("a wait longer than --once allows ends the run, saying when to run again", async () => {
      api.replies.push({ status: 429, headers: [["retry-after", "90"]] });
      const error = await failure({ maxWaitMs: 60_000 });
      expect(error?.exitCode).toBe(1);
      expect(error?.message).toBe("Test API: rate limited for 2m");
      expect(error?.hint).toBe("nothing was lost; run again after 2026-03-01T12:01:30.000Z");
      expect(waits).toEqual([]);
      api.replies.push({ status: 429, headers: [["retry-after", "60"]] });
      await get({ maxWaitMs: 60_000 });
      expect(waits).toEqual([60_000]);
    });
  });

  describe("answers waiting cannot fix", () => {
    it("401 and a plain 403 are a refused key: exit 2 at once, naming where the key comes from", async () => {
      for (const status of [401, 403]) {
        api.replies.push({ status, body: JSON.stringify({ message: "Bad credentials" }) });
        const error = await failure();
        expect(error).not.toBeInstanceOf(ApiError);
        expect(error?.exitCode).toBe(2);
        expect(error?.message).toBe(`Test API: ${status} Bad credentials`);
        expect(error?.hint).toBe("the API key was refused: check --api-key or TEST_KEY");
      }
      expect(api.requests).toHaveLength(2);
      expect(waits).toEqual([]);
    });

    it("a 404 keeps its status and points at the flags that make the URL; a 400 or a redirect has no such hint", async () => {
      api.replies.push({
        status: 404,
        body: JSON.stringify({ error: { message: "Unrecognized request URL" } }),
      });
      const notFound = (await failure()) as ApiError;
      expect(notFound).toBeInstanceOf(ApiError);
      expect(notFound.name).toBe("ApiError");
      expect(notFound.status).toBe(404);
      expect(notFound.exitCode).toBe(1);
      expect(notFound.message).toBe("Test API: 404 Unrecognized request URL");
      expect(notFound.hint).toBe("check the --api-base, --repo/--org/--user or --url value");
      api.replies.push({ status: 400, body: JSON.stringify({ error: "invalid_limit" }) });
      const bad = (await failure()) as ApiError;
      expect(bad.status).toBe(400);
      expect(bad.message).toBe("Test API: 400 invalid_limit");
      expect(bad.hint).toBeUndefined();
      for (const status of [300, 302]) {
        api.replies.push({ status, headers: [["location", "/login"]] });
        expect(((await failure()) as ApiError).status).toBe(status);
      }
      expect(api.requests).toHaveLength(4);
    });

    it("the API's words are kept short: a message cut at 300 characters, other text at 200, trimmed", async () => {
      api.replies.push({ status: 400, body: JSON.stringify({ message: "m".repeat(400) }) });
      expect((await failure())?.message).toBe(`Test API: 400 ${"m".repeat(300)}`);
      api.replies.push({ status: 400, body: `  <html>${"t".repeat(300)}` });
      expect((await failure())?.message).toBe(`Test API: 400 <html>${"t".repeat(192)}`);
      api.replies.push({ status: 400, body: JSON.stringify({ error: { code: "x" }, detail: "d" }) });
      expect((await failure())?.message).toBe('Test API: 400 {"error":{"code":"x"},"detail":"d"}');
      api.replies.push({ status: 400, body: "null" });
      expect((await failure())?.message).toBe("Test API: 400 null");
    });
  });

  describe("Ctrl-C", () => {
    it("before a call, nothing is sent", async () => {
      const controller = new AbortController();
      controller.abort();
      await expect(get({ signal: controller.signal })).rejects.toBeInstanceOf(Interrupted);
      expect(api.requests).toHaveLength(0);
      expect(events).toEqual([]);
    });

    it("during a call, its answer is not reported or retried", async () => {
      const controller = new AbortController();
      api.replies.push({ status: 503 });
      const call = client({ signal: controller.signal }).call(
        { url: `${api.url}/x` },
        (res) => {
          return res.status;
        },
        () => 0,
      );
      // Aborted as the answer arrives: the parser must not see it either way.
      const events0 = events.length;
      controller.abort();
      await expect(call).rejects.toBeInstanceOf(Interrupted);
      expect(events.length).toBe(events0);
      expect(waits).toEqual([]);
    });

    it("during a wait, the wait ends the run as interrupted", async () => {
      api.replies.push({ status: 503 });
      const interrupted = new ApiClient({
        ...client().options,
        sleep: () => Promise.reject(new Error("aborted")),
      });
      await expect(interrupted.call({ url: `${api.url}/x` }, items, () => 0)).rejects.toBeInstanceOf(
        Interrupted,
      );
      expect(events.map((e) => e.kind)).toEqual(["poll", "wait"]);
      expect(api.requests).toHaveLength(1);
    });
  });
});
