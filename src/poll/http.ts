import { createHash } from "node:crypto";
import { HookError } from "../errors.js";
import type { ApiResponse } from "./api-client.js";
import type { PollItem, Source, SourceContext } from "./types.js";

interface HttpSourceOptions {
  url: URL;
  /** Dot path to the array in the answer ("" or "." for a top-level array). */
  items: string;
  id: string;
  time?: string;
  cursorParam?: string;
  sign: (body: Uint8Array, deliveryId?: string) => Record<string, string>;
}

/** A cursor API is followed page after page within a pass, up to this many requests. */
const MAX_PAGES = 50;

interface Entry {
  item: unknown;
  id: string;
  time?: number;
}

/**
 * Any JSON API that lists items with an id. With --cursor-param the last delivered id is sent as
 * that query parameter and the API is asked again until it has nothing new; without it, each pass
 * reads the list once and delivers the ids it has not delivered before. --time orders the items
 * (oldest first) and makes --since possible; without it they go in the order the API lists them.
 */
export function httpSource(options: HttpSourceOptions): Source {
  const hash = createHash("sha256").update(options.url.href).digest("hex").slice(0, 8);
  const key = `${options.url.host}${options.url.pathname}`.replace(/[^a-zA-Z0-9.]+/g, "-").replace(/-+$/, "");

  async function* pages(context: SourceContext): AsyncGenerator<PollItem[]> {
    for (let n = 0; n < MAX_PAGES; n += 1) {
      const url = new URL(options.url.href);
      const cursor = context.state.cursor;
      if (options.cursorParam && cursor !== undefined) url.searchParams.set(options.cursorParam, cursor);
      const { value: entries } = await context.api.call(
        { url: url.href },
        (res) => parseEntries(res, options),
        (v) => v.length,
      );
      if (cursor === undefined && context.since === undefined) {
        // First run, from now: what is listed today counts as seen; the newest is the cursor.
        const newest = options.cursorParam ? entries.at(-1)?.id : undefined;
        yield entries.map((e) => ({ id: e.id, cursor: newest, skip: "bootstrap" }));
        return;
      }
      const since = context.since;
      const fresh = entries.filter(
        (e) =>
          !context.seen(e.id) && (since === undefined || since === "all" || (e.time ?? 0) >= since.getTime()),
      );
      yield fresh.map((e) => toItem(e, options));
      if (!options.cursorParam || fresh.length === 0) return;
    }
  }

  return { key: `${key}-${hash}`, pages };
}

function toItem(entry: Entry, options: HttpSourceOptions): PollItem {
  return {
    id: entry.id,
    cursor: entry.id,
    request: () => {
      const body = Buffer.from(JSON.stringify(entry.item));
      return {
        body,
        headers: {
          "content-type": "application/json",
          "user-agent": "hook-poll",
          ...options.sign(body, entry.id),
        },
      };
    },
  };
}

function parseEntries(res: ApiResponse, options: HttpSourceOptions): Entry[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(res.body.toString("utf8"));
  } catch {
    throw new HookError(`poll: ${options.url.host} did not answer JSON`, { hint: "check --url" });
  }
  const list = pick(parsed, options.items);
  if (!Array.isArray(list)) {
    throw new HookError(
      `poll: --items "${options.items}" is not a list in the answer of ${options.url.host}`,
      {
        hint: `the answer's top-level keys: ${Object.keys(parsed ?? {}).join(", ") || "(none)"}`,
      },
    );
  }
  const entries = list.map((item, index) => entry(item, index, options));
  // A stable sort: without --time every item weighs the same and the API's order stays.
  entries.sort((a, b) => (a.time ?? 0) - (b.time ?? 0));
  return entries;
}

function entry(item: unknown, index: number, options: HttpSourceOptions): Entry {
  const id = pick(item, options.id);
  if (typeof id !== "string" && typeof id !== "number") {
    throw new HookError(`poll: item ${index} has no --id "${options.id}" (a string or number)`, {
      hint: "check --id",
    });
  }
  const time = options.time ? toMillis(pick(item, options.time)) : undefined;
  if (options.time && time === undefined) {
    throw new HookError(`poll: item ${index} has no readable --time "${options.time}"`, {
      hint: "the time must be an ISO date or a Unix time in seconds or milliseconds",
    });
  }
  return { item, id: String(id), time };
}

/** "data.items" -> value.data.items; "" or "." is the value itself. */
export function pick(value: unknown, path: string): unknown {
  let current = value;
  for (const key of path.split(".").filter(Boolean)) {
    if (typeof current !== "object" || current === null) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

function toMillis(value: unknown): number | undefined {
  if (typeof value === "number") return value < 1e12 ? value * 1000 : value;
  if (typeof value !== "string") return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return toMillis(Number(value));
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}
