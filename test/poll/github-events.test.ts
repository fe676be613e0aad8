import type { IncomingMessage, ServerResponse } from "node:http";
import { join } from "node:path";
import { emitterEventNames } from "@octokit/webhooks";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { HookError } from "../../src/errors.js";
import { githubSource, nextLink } from "../../src/poll/github.js";
import { deliveryGuid, GITHUB_EVENT_NAMES, githubRequest, webhookBody } from "../../src/poll/github-shape.js";
import { LocalServer } from "../helpers/local-server.js";
import { Target } from "../helpers/target.js";
import { FakeGithubApi } from "./helpers/fake-github-api.js";
import { onePass, tempDir, withPollServers } from "./helpers/run-pass.js";

/** An Events API that never runs out: every page is 3 new events with a Link to the next one. */
class EndlessEvents extends LocalServer {
  readonly urls: string[] = [];
  raw: string | undefined;
  private next = 9_000_000;

  protected handle(req: IncomingMessage, res: ServerResponse): void {
    this.urls.push(req.url ?? "");
    const page = Array.from({ length: 3 }, () => {
      this.next -= 1;
      return { id: this.next, type: "WatchEvent", payload: { action: "started" } };
    });
    res.writeHead(200, { "content-type": "application/json", link: `<${this.url}/more>; rel=next` });
    res.end(this.raw ?? JSON.stringify(page));
  }
}

describe("poll github: scopes, windows and answers", () => {
  let api: FakeGithubApi;
  let target: Target;
  let statePath: string;

  withPollServers(
    () => new FakeGithubApi().start(),
    "github.json",
    (s) => {
      ({ api, target, statePath } = s);
    },
  );

  type Extra = { since?: Date | "all"; scope?: "repo" | "org" | "user"; name?: string; base?: string };
  const source = (extra: Extra = {}) =>
    githubSource({
      apiBase: extra.base ?? api.url,
      scope: extra.scope ?? "repo",
      name: extra.name ?? "octo/hello",
      sign: () => ({}),
    });
  const run = (extra: Extra = {}) =>
    onePass({ provider: "github", source: source(extra), statePath, target: target.url, since: extra.since });
  const events = () => target.received.map((r) => r.headers["x-github-delivery"]);

  it("asks the org's or user's events, whatever slashes end --api-base", async () => {
    await run({ scope: "org", name: "octo", base: `${api.url}//` });
    statePath = join(tempDir(), "user.json");
    await run({ scope: "user", name: "octocat" });
    expect(api.requests.map((r) => r.url)).toEqual([
      "/orgs/octo/events?per_page=100",
      "/users/octocat/events?per_page=100",
    ]);
    expect(source({ scope: "org", name: "octo" }).key).toBe("org-octo");
  });

  it("a repo with no events at the first run: everything that appears later is delivered", async () => {
    const first = await run();
    expect(first.result.skipped).toBe(0);
    const later = api.add(2);
    const { result } = await run();
    expect(result.delivered).toBe(2);
    expect(events()).toEqual(later.map((e) => deliveryGuid(e.id)));
  });

  it("events older than the cursor on the same page are never delivered again", async () => {
    api.add(3);
    await run();
    const fresh = api.add(2);
    const { result } = await run();
    expect(result).toMatchObject({ delivered: 2, skipped: 0 });
    expect(events()).toEqual(fresh.map((e) => deliveryGuid(e.id)));
  });

  it("--since on a first run delivers only events created in the window, oldest first", async () => {
    api.add(2, "PushEvent", "2026-01-01T00:00:00Z");
    const edge = api.add(1, "IssuesEvent", "2026-01-02T00:00:00Z");
    const inside = api.add(1, "ForkEvent", "2026-01-03T00:00:00Z");
    const { result } = await run({ since: new Date("2026-01-02T00:00:00Z") });
    expect(result.delivered).toBe(2);
    expect(target.received.map((r) => r.headers["x-github-event"])).toEqual(["issues", "fork"]);
    expect(events()).toEqual([...edge, ...inside].map((e) => deliveryGuid(e.id)));
  });

  it("warns when the window no longer reaches the cursor: events between may be gone", async () => {
    api.add(1);
    const { state } = await run();
    const cursor = state.data.cursor;
    // The whole list is newer than the cursor and there is no next page: the window has moved past it.
    const newer = [
      { id: "40000000002", type: "WatchEvent", payload: {} },
      { id: "40000000001", type: "WatchEvent", payload: {} },
    ];
    api.failures.push({ status: 200, body: JSON.stringify(newer) });
    const { result, events: said } = await run();
    expect(result.delivered).toBe(2);
    expect(said.filter((e) => e.kind === "warning")).toEqual([
      {
        kind: "warning",
        message: `GitHub's event window ended before the cursor ${cursor}: events between may be gone (the Events API keeps 300); poll more often`,
      },
    ]);
    target.received.length = 0;
    api.add(5);
    const quiet = await run();
    expect(quiet.events.some((e) => e.kind === "warning")).toBe(false);
  });

  it("a first run remembers the newest event as seen; an empty list after a cursor is no gap", async () => {
    const [newest] = api.add(1, "ForkEvent");
    const first = await run();
    expect(first.events.filter((e) => e.kind === "skip")).toEqual([
      { kind: "skip", id: newest?.id, type: "fork", reason: "bootstrap" },
    ]);
    api.failures.push({ status: 200, body: "[]" });
    const empty = await run();
    expect(empty.events.some((e) => e.kind === "warning")).toBe(false);
    expect(empty.state.data.cursor).toBe(newest?.id);
  });

  it("a 304 without an ETag keeps the saved one; an unusable X-Poll-Interval is not kept", async () => {
    api.add(1);
    await run();
    const etag = (await run()).state.data.etag;
    expect(etag).toMatch(/^"/);
    api.failures.push({ status: 304, body: "" });
    const kept = await run();
    expect(kept.state.data.etag).toBe(etag);
    expect(api.requests.at(-1)?.ifNoneMatch).toBe(etag);
    for (const interval of [0, Number.NaN]) {
      api.pollInterval = interval;
      api.add(1);
      expect((await run()).state.data.pollIntervalMs).toBeUndefined();
    }
  });

  it("steps over a type without a webhook, saying which", async () => {
    api.add(1);
    await run();
    const [odd] = api.add(1, "SomeFutureEvent");
    const { events: said } = await run();
    expect(said.filter((e) => e.kind === "skip")).toEqual([
      { kind: "skip", id: odd?.id, type: "SomeFutureEvent", reason: "no webhook for SomeFutureEvent" },
    ]);
  });

  it("answers that are not an events list are errors naming what to check", async () => {
    const bad = async (body: string) => {
      api.failures.push({ status: 200, body });
      return (await run().catch((error: unknown) => error)) as HookError;
    };
    let error = await bad("<html>");
    expect(error).toBeInstanceOf(HookError);
    expect(error.message).toBe("GitHub API: the events list is not JSON");
    expect(error.hint).toBe("check --api-base");
    error = await bad('{"message":"Not Found"}');
    expect(error.message).toBe("GitHub API: the answer is not a list of events");
    expect(error.hint).toBe("check --api-base and --repo/--org/--user");
    expect((await bad('[{"id":1}]')).message).toMatch(/not a list of events/);
    expect((await bad('[{"type":"PushEvent"}]')).message).toMatch(/not a list of events/);
    expect((await bad("[null]")).message).toMatch(/not a list of events/);
  });

  it("reads Link headers as RFC 8288 writes them", () => {
    expect(nextLink(undefined)).toBeUndefined();
    expect(nextLink("<https://x/e?page=2>;rel=next")).toBe("https://x/e?page=2");
    expect(nextLink('<https://x/e?page=1>; rel="prev", <https://x/e?page=3>; rel="next"')).toBe(
      "https://x/e?page=3",
    );
    expect(nextLink('<https://x/e?page=3>; rel="nextpage"')).toBeUndefined();
    expect(nextLink('<https://x/e?page=3>; rel="first"')).toBeUndefined();
  });
});

describe("poll github: bounded paging", () => {
  let api: EndlessEvents;
  let target: Target;

  beforeEach(async () => {
    api = await new EndlessEvents().start();
    target = await new Target().start();
  });
  afterEach(async () => {
    await api.close();
    await target.close();
  });

  it("follows Link rel=next at most 5 pages in one pass, and numeric ids become strings", async () => {
    const source = githubSource({ apiBase: api.url, scope: "repo", name: "o/r", sign: () => ({}) });
    const statePath = join(tempDir(), "g.json");
    const { result, state, events } = await onePass({
      provider: "github",
      source,
      statePath,
      target: target.url,
      since: "all",
    });
    expect(api.urls).toHaveLength(5);
    expect(api.urls.slice(1)).toEqual(["/more", "/more", "/more", "/more"]);
    expect(result.delivered).toBe(15);
    expect(state.data.cursor).toBe("8999999");
    // A backfill has no cursor to fall short of: no gap warning.
    expect(events.some((e) => e.kind === "warning")).toBe(false);
  });
});

describe("poll github: the webhook body", () => {
  const event = {
    id: "1",
    type: "PushEvent",
    public: false,
    actor: { id: 1, login: "octocat" },
    repo: { id: 42, name: "octo/hello", url: "https://api.github.com/repos/octo/hello" },
    org: { id: 7, login: "octo" },
    payload: { ref: "refs/heads/main", head: "abc", after: "def" },
  };

  it("builds repository, sender and organization from the event, keeping a push's own after", () => {
    expect(webhookBody(event)).toEqual({
      ref: "refs/heads/main",
      head: "abc",
      after: "def",
      repository: {
        id: 42,
        name: "hello",
        full_name: "octo/hello",
        private: true,
        owner: { login: "octo" },
        html_url: "https://github.com/octo/hello",
        url: "https://api.github.com/repos/octo/hello",
      },
      sender: { id: 1, login: "octocat", html_url: "https://github.com/octocat", type: "User" },
      organization: { id: 7, login: "octo" },
    });
  });

  it("a push without after takes its head; other events keep their payload as it is", () => {
    expect(webhookBody({ ...event, payload: { head: "abc" } }).after).toBe("abc");
    expect(webhookBody({ ...event, type: "CreateEvent", payload: { head: "abc" } }).after).toBeUndefined();
    expect(webhookBody({ ...event, payload: {} }).after).toBeUndefined();
  });

  it("what the event lacks stays absent", () => {
    expect(webhookBody({ id: "2", type: "WatchEvent", payload: { action: "started" } })).toEqual({
      action: "started",
    });
    expect(webhookBody({ ...event, public: undefined }).repository).toMatchObject({ private: false });
    expect(webhookBody({ ...event, repo: { id: 1 } }).repository).toBeUndefined();
  });

  it("every Events API type maps to the webhook event octokit knows by that name", () => {
    const names = new Set<string>(emitterEventNames);
    for (const [type, name] of Object.entries(GITHUB_EVENT_NAMES)) {
      expect(names.has(name), `${type} -> ${name}`).toBe(true);
      expect(type).toBe(`${name.replace(/(^|_)([a-z])/g, (_, __, c: string) => c.toUpperCase())}Event`);
    }
  });

  it("a delivery is JSON, with the event name, its delivery id and the signer's headers", () => {
    const request = githubRequest(event, "push", (body, id) => ({ "x-signed": `${body.length}:${id}` }));
    expect(request.headers).toEqual({
      "content-type": "application/json",
      "user-agent": "GitHub-Hookshot/hook-poll",
      "x-github-event": "push",
      "x-github-delivery": deliveryGuid("1"),
      "x-signed": `${request.body.length}:${deliveryGuid("1")}`,
    });
  });

  it("the delivery id of an event is stable across runs and versions (the app dedupes on it)", () => {
    expect(deliveryGuid("30000000001")).toBe("ceb12ae5-c409-5aa2-ba37-cbf79274decb");
    expect(deliveryGuid("42")).toBe("c42e856b-d9cf-59d3-9473-70be01ae7cb6");
  });
});
