import type { IncomingMessage, ServerResponse } from "node:http";
import { errorMessage, HookError } from "../errors.js";
import { saveFixture, toFixture } from "../store/fixture-writer.js";
import { compareEntries } from "./diff.js";
import type { EventStream } from "./event-stream.js";
import { SAFE_HEADERS, sendJson } from "./guard.js";
import type { Entry, History } from "./history.js";
import { type ReplayEdit, Replayer, type ReplayerOptions } from "./replay.js";
import { detailJson, summaryJson } from "./shapes.js";

/** The durable queue's controls (the Outbox's own methods; `hook outbox` uses the same ones). */
export interface OutboxControl {
  list(): unknown[] | Promise<unknown[]>;
  retryNow(): unknown;
  drop(seqOrEventId: number | string): unknown;
}

export interface ApiDeps {
  history: History;
  stream: EventStream;
  /** How replays are built and sent; the Replayer (and replay's modules) load on the first API call. */
  replay: ReplayerOptions;
  /** --save's folder: "Save as fixture" writes there; without it the page downloads the fixture. */
  saveDir?: string;
  outbox?: OutboxControl;
  /** GET /api/info: what the page needs to know about this run. */
  info: Record<string, unknown>;
}

/** An answer the API gives on purpose (404, 400 ...), with the reason in `{error}`. */
class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** The largest JSON body the API reads: an edited webhook body fits with room to spare. */
const MAX_JSON = 16 * 1024 * 1024;

type Handler = (
  deps: ApiDeps,
  match: RegExpMatchArray,
  req: IncomingMessage,
  res: ServerResponse,
) => Promise<unknown>;

const ROUTES: [string, RegExp, Handler][] = [
  ["GET", /^\/api\/info$/, async (d) => d.info],
  ["GET", /^\/api\/requests$/, async (d, _m, req) => listRequests(d.history, req)],
  ["GET", /^\/api\/requests\/(\d+)$/, async (d, m) => detailJson(entryOf(d, m[1]))],
  ["POST", /^\/api\/requests\/(\d+)\/replay$/, async (d, m, req) => replay(d, entryOf(d, m[1]), req)],
  [
    "POST",
    /^\/api\/requests\/(\d+)\/curl$/,
    async (d, m, req) => ({ curl: replayerOf(d).curl(entryOf(d, m[1]).record, await editOf(req)) }),
  ],
  ["POST", /^\/api\/requests\/(\d+)\/save$/, async (d, m) => save(d, entryOf(d, m[1]))],
  ["GET", /^\/api\/requests\/(\d+)\/fixture$/, async (d, m, _req, res) => download(entryOf(d, m[1]), res)],
  ["GET", /^\/api\/compare$/, async (d, _m, req) => compare(d, req)],
  [
    "GET",
    /^\/api\/events$/,
    async (d, _m, req, res) => {
      const q = query(req);
      const keep = positive(q.get("keep"), "keep");
      if (keep === 0)
        throw new ApiError(400, "keep must be 1 or more (it is how many summaries the client keeps)");
      return d.stream.attach(res, lastEventId(req), q.get("batch") === "1", keep);
    },
  ],
  ["GET", /^\/api\/outbox$/, async (d) => ({ entries: await outboxOf(d).list() })],
  [
    "POST",
    /^\/api\/outbox\/retry$/,
    async (d) => ({ ok: true, result: (await outboxOf(d).retryNow()) ?? null }),
  ],
  ["POST", /^\/api\/outbox\/([^/]+)\/drop$/, async (d, m) => dropEntry(d, m[1] as string)],
];

/** Answers an /api/ request. Returns false when no route matches. */
export async function routeApi(deps: ApiDeps, req: IncomingMessage, res: ServerResponse): Promise<boolean> {
  const url = new URL(req.url ?? "/", "http://inspector");
  const known = ROUTES.filter(([, pattern]) => pattern.test(url.pathname));
  if (known.length === 0) return false;
  const route = known.find(([method]) => method === req.method);
  try {
    if (!route) throw new ApiError(405, `${req.method} is not allowed on ${url.pathname}`);
    const [, pattern, handler] = route;
    const result = await handler(deps, url.pathname.match(pattern) as RegExpMatchArray, req, res);
    if (!res.headersSent) sendJson(res, 200, result);
  } catch (error) {
    const status = error instanceof ApiError ? error.status : error instanceof HookError ? 400 : 500;
    if (!res.headersSent) sendJson(res, status, { error: errorMessage(error) });
  }
  return true;
}

const replayers = new WeakMap<ApiDeps, Replayer>();

function replayerOf(deps: ApiDeps): Replayer {
  let replayer = replayers.get(deps);
  if (!replayer) {
    replayer = new Replayer(deps.replay);
    replayers.set(deps, replayer);
  }
  return replayer;
}

function query(req: IncomingMessage): URLSearchParams {
  return new URL(req.url ?? "/", "http://inspector").searchParams;
}

function positive(value: string | null, name: string): number | undefined {
  if (value === null || value === "") return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new ApiError(400, `${name} must be a whole number`);
  return n;
}

function listRequests(history: History, req: IncomingMessage): unknown {
  const q = query(req);
  const limit = Math.min(positive(q.get("limit"), "limit") ?? 100, 1_000);
  const before = positive(q.get("before"), "before");
  return { requests: history.page(limit, before).map(summaryJson) };
}

function entryOf(deps: ApiDeps, number: string | undefined): Entry {
  const n = Number(number);
  const entry = deps.history.get(n);
  if (!entry)
    throw new ApiError(404, `no request #${n} (the history keeps the last ${deps.history.limits.count})`);
  return entry;
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_JSON) throw new ApiError(413, "the JSON body is too large");
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString("utf8");
  if (text.trim() === "") return undefined;
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ApiError(400, `the body is not JSON: ${errorMessage(error)}`);
  }
}

async function editOf(req: IncomingMessage): Promise<ReplayEdit> {
  const value = await readJson(req);
  if (value === undefined || value === null) return {};
  if (typeof value !== "object" || Array.isArray(value))
    throw new ApiError(400, "the edit must be a JSON object");
  const edit = value as Record<string, unknown>;
  for (const key of ["method", "path", "body", "bodyBase64"]) {
    if (edit[key] !== undefined && typeof edit[key] !== "string")
      throw new ApiError(400, `${key} must be a string`);
  }
  const headers = edit.headers;
  if (headers !== undefined && (typeof headers !== "object" || headers === null || Array.isArray(headers))) {
    throw new ApiError(400, 'headers must be an object of "name": "value"');
  }
  return edit as ReplayEdit;
}

async function replay(deps: ApiDeps, entry: Entry, req: IncomingMessage): Promise<unknown> {
  const record = await replayerOf(deps).send(entry.record, await editOf(req));
  return { n: record.n, status: record.status, outcome: record.outcome };
}

function fixtureInput(entry: Entry) {
  const r = entry.record;
  const v = r.verification;
  return { ...r, id: r.eventId, verification: v && !v.ok ? { ok: false, reason: v.reason } : undefined };
}

async function save(deps: ApiDeps, entry: Entry): Promise<unknown> {
  if (!deps.saveDir) throw new ApiError(409, "hook listen runs without --save: download the fixture instead");
  return { file: await saveFixture(deps.saveDir, fixtureInput(entry)) };
}

function download(entry: Entry, res: ServerResponse): void {
  const body = `${JSON.stringify(toFixture(fixtureInput(entry)), null, 2)}\n`;
  const name = `${entry.record.provider}-${entry.record.n}.json`.replace(/[^A-Za-z0-9._-]/g, "_");
  res.writeHead(200, {
    ...SAFE_HEADERS,
    "content-type": "application/json; charset=utf-8",
    "content-disposition": `attachment; filename="${name}"`,
  });
  res.end(body);
}

function compare(deps: ApiDeps, req: IncomingMessage): unknown {
  const q = query(req);
  const pick = (name: string) => {
    const n = positive(q.get(name), name);
    if (n === undefined) throw new ApiError(400, `?${name}=N names the request to compare`);
    return entryOf(deps, String(n));
  };
  return compareEntries(pick("a"), pick("b"));
}

function lastEventId(req: IncomingMessage): number | undefined {
  const header = req.headers["last-event-id"];
  const value = typeof header === "string" && header !== "" ? header : query(req).get("after");
  const n = Number(value);
  return value !== null && value !== "" && Number.isInteger(n) ? n : undefined;
}

function outboxOf(deps: ApiDeps): OutboxControl {
  if (!deps.outbox) throw new ApiError(404, "no durable outbox: hook listen runs without --durable");
  return deps.outbox;
}

async function dropEntry(deps: ApiDeps, which: string): Promise<unknown> {
  const seq = /^\d+$/.test(which) ? Number(which) : decodeURIComponent(which);
  const result = await outboxOf(deps).drop(seq);
  if (result === false || result === undefined || result === null) {
    throw new ApiError(404, `no pending outbox entry ${which}`);
  }
  return { ok: true, dropped: result === true ? which : result };
}
