import { createHash } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { LocalServer } from "../../helpers/local-server.js";
import type { FakeReply } from "./fake-stripe-api.js";

export interface GithubEventLike {
  id: string;
  type: string;
  actor: { id: number; login: string; url: string; avatar_url: string };
  repo: { id: number; name: string; url: string };
  org?: { id: number; login: string };
  payload: Record<string, unknown>;
  public: boolean;
  created_at: string;
}

/**
 * A stand-in for GET /repos/{o}/{r}/events (and /orgs, /users): newest first, per_page and page,
 * a Link rel="next" header, at most 300 events, an ETag that a matching If-None-Match turns into
 * a 304 (with no body), and X-Poll-Interval.
 */
export class FakeGithubApi extends LocalServer {
  readonly events: GithubEventLike[] = [];
  readonly requests: { url: string; ifNoneMatch?: string; authorization?: string; at: number }[] = [];
  readonly failures: FakeReply[] = [];
  pollInterval = 60;
  private nextId = 30_000_000_000;

  add(count: number, type = "PushEvent", createdAt?: string): GithubEventLike[] {
    const added: GithubEventLike[] = [];
    for (let i = 0; i < count; i += 1) {
      this.nextId += 1 + (i % 3);
      const event: GithubEventLike = {
        id: String(this.nextId),
        type,
        actor: {
          id: 1,
          login: "octocat",
          url: "https://api.github.com/users/octocat",
          avatar_url: "https://a/1",
        },
        repo: { id: 42, name: "octo/hello", url: "https://api.github.com/repos/octo/hello" },
        org: { id: 7, login: "octo" },
        payload:
          type === "PushEvent"
            ? { ref: "refs/heads/main", head: `sha${this.nextId}`, before: "sha0" }
            : { action: "opened", number: i },
        public: true,
        created_at: createdAt ?? new Date().toISOString(),
      };
      this.events.push(event);
      added.push(event);
    }
    return added;
  }

  protected handle(req: IncomingMessage, res: ServerResponse): void {
    const ifNoneMatch = req.headers["if-none-match"];
    this.requests.push({
      url: req.url ?? "",
      ifNoneMatch: ifNoneMatch as string | undefined,
      authorization: req.headers.authorization,
      at: Date.now(),
    });
    const failure = this.failures.shift();
    if (failure) {
      res.writeHead(failure.status, { "content-type": "application/json", ...failure.headers });
      res.end(failure.body ?? JSON.stringify({ message: "Bad credentials" }));
      return;
    }
    const url = new URL(req.url ?? "/", this.url);
    const perPage = Math.min(100, Number(url.searchParams.get("per_page") ?? "30"));
    const page = Number(url.searchParams.get("page") ?? "1");
    const window = this.events.toReversed().slice(0, 300);
    const data = window.slice((page - 1) * perPage, page * perPage);
    const etag = `"${createHash("md5")
      .update(`${url.pathname}:${page}:${data.map((e) => e.id).join(",")}`)
      .digest("hex")}"`;
    const headers: Record<string, string> = { etag, "x-poll-interval": String(this.pollInterval) };
    if (ifNoneMatch === etag) {
      res.writeHead(304, headers);
      res.end();
      return;
    }
    if (page * perPage < window.length) {
      const next = new URL(url);
      next.searchParams.set("page", String(page + 1));
      headers.link = `<${next.href}>; rel="next", <${url.href}>; rel="first"`;
    }
    res.writeHead(200, { "content-type": "application/json; charset=utf-8", ...headers });
    res.end(JSON.stringify(data));
  }
}
