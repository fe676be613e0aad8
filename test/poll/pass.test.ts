import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { HttpClient } from "../../src/net/client.js";
import { ApiClient } from "../../src/poll/api-client.js";
import type { DeliveryResult } from "../../src/poll/delivery.js";
import { runPass, startingPoint } from "../../src/poll/pass.js";
import type { PollEvent } from "../../src/poll/poll-event.js";
import { PollState } from "../../src/poll/state.js";
import type { DeliveryRequest, PassEnd, PollItem, Source, SourceContext } from "../../src/poll/types.js";
import { Target } from "../helpers/target.js";
import { tempDir } from "./helpers/run-pass.js";

/** A source that hands over fixed pages and remembers the context the pass gave it. */
class ListSource implements Source {
  readonly key = "list";
  context: SourceContext | undefined;
  ended = 0;
  constructor(
    private readonly list: PollItem[][],
    private readonly finish: PassEnd = {},
  ) {}
  async *pages(context: SourceContext): AsyncGenerator<PollItem[]> {
    this.context = context;
    yield* this.list;
  }
  end(): PassEnd {
    this.ended += 1;
    return this.finish;
  }
}

const item = (n: number, extra: Partial<PollItem> = {}): PollItem => ({
  id: `e${n}`,
  type: n % 2 === 0 ? "even.thing" : "odd.thing",
  cursor: `e${n}`,
  request: () => ({ body: Buffer.from(`{"n":${n}}`), headers: { "Content-Type": "application/json" } }),
  ...extra,
});
const onDisk = (path: string) => JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;

describe("poll pass", () => {
  let target: Target;
  let http: HttpClient;
  let statePath: string;
  let events: PollEvent[];
  let controller: AbortController;

  beforeEach(async () => {
    target = await new Target().start();
    http = new HttpClient({ env: {} });
    statePath = join(tempDir(), "state.json");
    events = [];
    controller = new AbortController();
  });
  afterEach(async () => {
    await http.close(0);
    await target.close();
  });

  type Extra = {
    wanted?: (type: string | undefined) => boolean;
    send?: (request: DeliveryRequest, item: PollItem) => Promise<DeliveryResult>;
    since?: Date | "all";
    firstPass?: boolean;
  };
  const pass = (source: Source, extra: Extra = {}) => {
    const state = PollState.load(statePath, "test", source.key);
    const api = new ApiClient({
      name: "Test API",
      keySource: "-",
      headers: {},
      http,
      timeoutMs: 5000,
      maxWaitMs: 0,
      maxAttempts: 1,
      now: () => new Date(),
      sleep: async () => {},
      signal: controller.signal,
      emit: (event) => events.push(event),
    });
    const now = () => new Date("2026-02-02T00:00:00Z");
    const run = runPass({
      source,
      state,
      api,
      http,
      target: new URL(`${target.url}/hooks?app=1`),
      timeoutMs: 5000,
      wanted: extra.wanted ?? (() => true),
      since: extra.since,
      firstPass: extra.firstPass,
      now,
      signal: controller.signal,
      emit: (event) => events.push(event),
      send: extra.send,
    });
    return run.then((result) => ({ result, state }));
  };

  it("POSTs each item to the target, oldest first, and reports each delivery", async () => {
    target.respond = (req) => ({ status: req.body.toString() === '{"n":2}' ? 202 : 200, body: "thanks" });
    const source = new ListSource([[item(1), item(2)], [item(3)]], { etag: '"v1"', pollIntervalMs: 120_000 });
    const { result, state } = await pass(source);
    expect(result).toEqual({
      delivered: 3,
      skipped: 0,
      interrupted: false,
      end: { etag: '"v1"', pollIntervalMs: 120_000 },
    });
    expect(target.received.map((r) => [r.method, r.url, r.body.toString()])).toEqual([
      ["POST", "/hooks?app=1", '{"n":1}'],
      ["POST", "/hooks?app=1", '{"n":2}'],
      ["POST", "/hooks?app=1", '{"n":3}'],
    ]);
    expect(target.received[0]?.headers["content-type"]).toBe("application/json");
    const deliveries = events.filter((e) => e.kind === "delivery");
    expect(deliveries.map((e) => e.kind === "delivery" && [e.id, e.type, e.status, e.ok, e.error])).toEqual([
      ["e1", "odd.thing", 200, true, undefined],
      ["e2", "even.thing", 202, true, undefined],
      ["e3", "odd.thing", 200, true, undefined],
    ]);
    const first = deliveries[0];
    expect(first?.kind === "delivery" && Buffer.from(first.responseBody ?? []).toString()).toBe("thanks");
    expect(state.data.cursor).toBe("e3");
    expect(onDisk(statePath)).toMatchObject({
      cursor: "e3",
      etag: '"v1"',
      pollIntervalMs: 120_000,
      delivered: ["e1", "e2", "e3"],
    });
    expect(source.ended).toBe(1);
  });

  it("a source without end() still saves a clean pass, with an empty end", async () => {
    const source: Source = {
      key: "bare",
      async *pages() {
        yield [item(1)];
      },
    };
    const { result } = await pass(source);
    expect(result.end).toEqual({});
    expect(onDisk(statePath)).toMatchObject({ cursor: "e1", delivered: ["e1"] });
  });

  it("steps over what is not wanted, already delivered, or has nothing to send, and says why", async () => {
    await pass(new ListSource([[item(1)]]));
    target.received.length = 0;
    events.length = 0;
    const source = new ListSource([
      [
        item(1),
        item(2),
        item(3, { request: undefined }),
        item(4, { skip: "unmapped" }),
        item(5, { skip: "bootstrap" }),
        item(7),
      ],
    ]);
    const { result, state } = await pass(source, { wanted: (type) => type === "odd.thing" });
    expect(result.delivered).toBe(1);
    expect(result.skipped).toBe(5);
    expect(events.filter((e) => e.kind === "skip")).toEqual([
      { kind: "skip", id: "e1", type: "odd.thing", reason: "already delivered" },
      { kind: "skip", id: "e2", type: "even.thing", reason: "filtered by --types" },
      { kind: "skip", id: "e3", type: "odd.thing", reason: "nothing to send" },
      { kind: "skip", id: "e4", type: "even.thing", reason: "unmapped" },
      { kind: "skip", id: "e5", type: "odd.thing", reason: "bootstrap" },
    ]);
    expect(target.received.map((r) => r.body.toString())).toEqual(['{"n":7}']);
    // The cursor moves past everything; only bootstrap ids and deliveries count as seen.
    expect(state.data.cursor).toBe("e7");
    expect(["e1", "e2", "e3", "e4", "e5", "e7"].map((id) => state.seen(id))).toEqual([
      true,
      false,
      false,
      false,
      true,
      true,
    ]);
  });

  it("a failed delivery ends the pass: nothing after it is sent, the state on disk stops before it", async () => {
    target.respond = (req) => ({ status: req.body.toString() === '{"n":2}' ? 500 : 200 });
    const source = new ListSource([[item(1), item(2), item(3)], [item(4)]], { etag: '"new"' });
    const { result } = await pass(source);
    expect(result).toEqual({
      delivered: 1,
      skipped: 0,
      failed: { id: "e2", error: "answered 500" },
      interrupted: false,
    });
    expect(target.received).toHaveLength(2);
    expect(source.ended).toBe(0);
    const saved = onDisk(statePath);
    expect(saved).toMatchObject({ cursor: "e1", delivered: ["e1"] });
    expect(saved.etag).toBeUndefined();
  });

  it("a delivery that fails without saying why is reported as failed", async () => {
    const send = async (): Promise<DeliveryResult> => ({ ok: false, ms: 3 });
    const { result } = await pass(new ListSource([[item(1)]]), { send });
    expect(result.failed).toEqual({ id: "e1", error: "failed" });
    expect(target.received).toHaveLength(0);
  });

  it("`send` replaces the POST (listen --reconcile): it gets each request with its item", async () => {
    const seen: [string, string][] = [];
    const send = async (request: DeliveryRequest, it: PollItem): Promise<DeliveryResult> => {
      seen.push([it.id, Buffer.from(request.body).toString()]);
      return { ok: true, status: 202, ms: 1 };
    };
    const { result } = await pass(new ListSource([[item(1), item(2)]]), { send });
    expect(result.delivered).toBe(2);
    expect(seen).toEqual([
      ["e1", '{"n":1}'],
      ["e2", '{"n":2}'],
    ]);
    expect(target.received).toHaveLength(0);
  });

  it("saves the state at a page boundary once 1,000 entries are pending, not before", async () => {
    const pages = [0, 1, 2].map((p) => Array.from({ length: 500 }, (_, i) => item(p * 500 + i + 1)));
    const onDiskAt = new Map<string, unknown>();
    const send = async (_: DeliveryRequest, it: PollItem): Promise<DeliveryResult> => {
      if (it.id === "e501" || it.id === "e1001") {
        onDiskAt.set(
          it.id,
          (() => {
            try {
              return onDisk(statePath).cursor;
            } catch {
              return "no file";
            }
          })(),
        );
      }
      return { ok: true, status: 200, ms: 0 };
    };
    const { result } = await pass(new ListSource(pages), { send });
    expect(result.delivered).toBe(1500);
    expect(onDiskAt.get("e501")).toBe("no file");
    expect(onDiskAt.get("e1001")).toBe("e1000");
  });

  it("Ctrl-C between deliveries: the pass stops, what was delivered is saved, and the pass is not clean", async () => {
    const send = async (_: DeliveryRequest, it: PollItem): Promise<DeliveryResult> => {
      if (it.id === "e2") controller.abort();
      return { ok: true, status: 200, ms: 0 };
    };
    const source = new ListSource([[item(1), item(2), item(3)]], { etag: '"x"' });
    const { result } = await pass(source, { send });
    expect(result).toEqual({ delivered: 2, skipped: 0, interrupted: true });
    expect(source.ended).toBe(0);
    expect(onDisk(statePath)).toMatchObject({ cursor: "e2", delivered: ["e1", "e2"] });
  });

  it("an error other than Ctrl-C from the source reaches the caller, after saving what was delivered", async () => {
    const source: Source = {
      key: "broken",
      async *pages() {
        yield [item(1)];
        throw new Error("the API changed its mind");
      },
    };
    await expect(pass(source)).rejects.toThrow("the API changed its mind");
    expect(onDisk(statePath)).toMatchObject({ cursor: "e1", delivered: ["e1"] });
  });

  it("a first run that fails before anything is handled writes no state, so the next run is a first run", async () => {
    const source: Source = {
      key: "down",
      // biome-ignore lint/correctness/useYield: a source that fails before its first page
      async *pages() {
        throw new Error("down");
      },
    };
    await expect(pass(source)).rejects.toThrow("down");
    expect(() => readFileSync(statePath)).toThrow();
    expect(PollState.load(statePath, "test", "down").existed).toBe(false);
  });

  it("tells the source where to start and passes warnings on", async () => {
    const source = new ListSource([]);
    const since = new Date("2026-01-01T00:00:00Z");
    await pass(source, { since });
    expect(source.context?.since).toEqual(since);
    expect(source.context?.now()).toEqual(new Date("2026-02-02T00:00:00Z"));
    expect(source.context?.signal).toBe(controller.signal);
    source.context?.warn("a gap");
    expect(events.at(-1)).toEqual({ kind: "warning", message: "a gap" });
    // A clean first pass wrote the state: the next one is not a first pass any more.
    await pass(source, { since });
    expect(source.context?.since).toBe("all");
    await pass(source, { since, firstPass: true });
    expect(source.context?.since).toEqual(since);
  });
});

describe("poll starting point", () => {
  const stateWith = (data: { cursor?: string; since?: string }) => {
    const state = PollState.load(join(tempDir(), "s.json"), "test", "x");
    Object.assign(state.data, data);
    return state;
  };
  const since = new Date("2026-01-01T00:00:00Z");

  it("a cursor means the source continues from it", () => {
    expect(startingPoint(stateWith({ cursor: "c", since: "all" }), since, true)).toBeUndefined();
  });

  it("a first run's recorded window is kept until the first event is delivered", () => {
    expect(startingPoint(stateWith({ since: "all" }), undefined, false)).toBe("all");
    expect(startingPoint(stateWith({ since: "2025-12-01T00:00:00.000Z" }), since, true)).toEqual(
      new Date("2025-12-01T00:00:00.000Z"),
    );
  });

  it("the first pass uses --since (or bootstraps from now); a later pass without a cursor takes all", () => {
    expect(startingPoint(stateWith({}), since, true)).toBe(since);
    expect(startingPoint(stateWith({}), undefined, true)).toBeUndefined();
    expect(startingPoint(stateWith({}), since, false)).toBe("all");
  });
});
