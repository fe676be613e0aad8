import { HookError } from "../errors.js";
import type { ApiResponse } from "./api-client.js";
import { GITHUB_EVENT_NAMES, type GithubEvent, githubRequest } from "./github-shape.js";
import type { PassEnd, PollItem, Source, SourceContext } from "./types.js";

interface GithubSourceOptions {
  apiBase: string;
  scope: "repo" | "org" | "user";
  name: string;
  sign: (body: Uint8Array, deliveryId?: string) => Record<string, string>;
}

/** GitHub keeps at most 300 events (3 pages of 100); a few more pages guard against a changed window. */
const MAX_PAGES = 5;

const PATHS = { repo: "repos", org: "orgs", user: "users" } as const;

/**
 * The Events API: newest first, ETag / If-None-Match (a 304 costs no rate limit), X-Poll-Interval
 * obeyed, Link rel="next" followed only until it reaches events already delivered.
 */
export function githubSource(options: GithubSourceOptions): Source {
  const base = options.apiBase.replace(/\/+$/, "");
  const first = `${base}/${PATHS[options.scope]}/${options.name}/events?per_page=100`;
  let end: PassEnd = {};

  const fetchPage = (context: SourceContext, url: string, etag?: string) =>
    context.api.call(
      { url, headers: etag ? { "if-none-match": etag } : {} },
      parsePage,
      (page) => page.events.length,
    );

  async function* pages(context: SourceContext): AsyncGenerator<PollItem[]> {
    end = {};
    const { cursor, etag } = context.state;
    // Without a cursor the first request must see the list, so no If-None-Match.
    const { res, value } = await fetchPage(context, first, cursor ? etag : undefined);
    // A 304 parses as an empty page: nothing is new, and the pass goes on to save the ETag.
    end = { etag: res.headers.etag ?? etag, pollIntervalMs: pollInterval(res) };
    if (!cursor && context.since === undefined) {
      const newest = value.events[0];
      if (newest)
        yield [
          { id: newest.id, type: GITHUB_EVENT_NAMES[newest.type], cursor: newest.id, skip: "bootstrap" },
        ];
      return;
    }
    const isNew = (e: GithubEvent) => (cursor ? newerThan(e.id, cursor) : inWindow(e, context.since));
    const fresh: GithubEvent[] = [];
    let page = value;
    for (let n = 1; ; n += 1) {
      fresh.push(...page.events.filter(isNew));
      if (!page.next || n >= MAX_PAGES || page.events.some((e) => !isNew(e))) break;
      page = (await fetchPage(context, page.next)).value;
    }
    if (cursor && fresh.length > 0 && page.events.every(isNew)) {
      context.warn(
        `GitHub's event window ended before the cursor ${cursor}: events between may be gone (the Events API keeps 300); poll more often`,
      );
    }
    // Events arrive newest first; the window is at most 300, so ordering them in memory is fine.
    yield fresh.reverse().map((event) => toItem(event, options));
  }

  return { key: `${options.scope}-${options.name}`, pages, end: () => end };
}

function toItem(event: GithubEvent, options: GithubSourceOptions): PollItem {
  const name = GITHUB_EVENT_NAMES[event.type];
  if (!name)
    return { id: event.id, type: event.type, cursor: event.id, skip: `no webhook for ${event.type}` };
  return {
    id: event.id,
    type: name,
    cursor: event.id,
    request: () => githubRequest(event, name, options.sign),
  };
}

/** Event ids are numeric and grow; compare as numbers (as text, "99" > "100"). */
function newerThan(id: string, cursor: string): boolean {
  if (/^\d+$/.test(id) && /^\d+$/.test(cursor)) return BigInt(id) > BigInt(cursor);
  return id !== cursor;
}

function inWindow(event: GithubEvent, since: Date | "all" | undefined): boolean {
  if (since === undefined || since === "all") return true;
  return Date.parse(event.created_at ?? "") >= since.getTime();
}

function pollInterval(res: ApiResponse): number | undefined {
  const seconds = Number(res.headers["x-poll-interval"]);
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : undefined;
}

function parsePage(res: ApiResponse): { events: GithubEvent[]; next?: string } {
  if (res.status === 304) return { events: [] };
  let events: unknown;
  try {
    events = JSON.parse(res.body.toString("utf8"));
  } catch {
    throw new HookError("GitHub API: the events list is not JSON", { hint: "check --api-base" });
  }
  if (!Array.isArray(events) || events.some((e) => typeof e?.type !== "string" || e?.id === undefined)) {
    throw new HookError("GitHub API: the answer is not a list of events", {
      hint: "check --api-base and --repo/--org/--user",
    });
  }
  const list = (events as GithubEvent[]).map((e) => ({ ...e, id: String(e.id) }));
  return { events: list, next: nextLink(res.headers.link) };
}

/** RFC 8288 Link header: the URL whose rel is "next". */
export function nextLink(header: string | undefined): string | undefined {
  for (const part of (header ?? "").split(",")) {
    const match = /<([^>]+)>\s*;.*\brel="?next\b/.exec(part);
    if (match?.[1]) return match[1];
  }
  return undefined;
}
