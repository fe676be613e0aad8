import { join } from "node:path";
import { verify } from "@octokit/webhooks-methods";
import { describe, expect, it } from "vitest";
import { HookError } from "../../src/errors.js";
import { githubSource, nextLink } from "../../src/poll/github.js";
import { deliveryGuid, GITHUB_EVENT_NAMES } from "../../src/poll/github-shape.js";
import { github } from "../../src/providers/github.js";
import type { Target } from "../helpers/target.js";
import { FakeGithubApi } from "./helpers/fake-github-api.js";
import { onePass, tempDir, withPollServers } from "./helpers/run-pass.js";

const SECRET = "It's a Secret to Everybody";

describe("poll github", () => {
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

  const run = (extra: { since?: Date | "all"; maxWaitMs?: number; now?: () => Date } = {}) =>
    onePass({
      provider: "github",
      source: githubSource({
        apiBase: api.url,
        scope: "repo",
        name: "octo/hello",
        sign: (body, deliveryId) => github.sign({ body, secret: SECRET, timestamp: new Date(), deliveryId }),
      }),
      statePath,
      target: target.url,
      headers: { authorization: "Bearer ghp_test" },
      ...extra,
    });
  const bodies = () =>
    target.received.map((r) => JSON.parse(r.body.toString("utf8")) as Record<string, unknown>);

  it("starts from now, then delivers new events oldest first as webhooks that octokit verifies", async () => {
    api.add(10);
    const first = await run();
    expect(first.calls).toBe(1);
    expect(target.received).toHaveLength(0);
    expect(api.requests[0]?.ifNoneMatch).toBeUndefined();
    expect(api.requests[0]?.url).toBe("/repos/octo/hello/events?per_page=100");
    const fresh = [...api.add(2, "PushEvent"), ...api.add(1, "PullRequestEvent")];
    const second = await run();
    expect(second.result.delivered).toBe(3);
    expect(api.requests[1]?.ifNoneMatch).toMatch(/^"[0-9a-f]+"$/);
    expect(target.received.map((r) => r.headers["x-github-event"])).toEqual(["push", "push", "pull_request"]);
    for (const [i, request] of target.received.entries()) {
      const signature = String(request.headers["x-hub-signature-256"]);
      expect(await verify(SECRET, request.body.toString("utf8"), signature)).toBe(true);
      expect(request.headers["x-github-delivery"]).toBe(deliveryGuid(fresh[i]?.id ?? ""));
      expect(request.headers["x-github-hook-id"]).toBeUndefined();
      expect(request.headers["user-agent"]).toMatch(/^GitHub-Hookshot\//);
    }
    const push = bodies()[0];
    expect(push).toMatchObject({
      ref: "refs/heads/main",
      after: fresh[0]?.payload.head,
      repository: { id: 42, name: "hello", full_name: "octo/hello", owner: { login: "octo" } },
      sender: { login: "octocat", id: 1 },
      organization: { login: "octo" },
    });
    expect(second.state.data.pollIntervalMs).toBe(60_000);
  });

  it("sends If-None-Match, and a 304 costs one call and delivers nothing", async () => {
    api.add(3);
    await run();
    api.add(1);
    await run();
    target.received.length = 0;
    const quiet = await run();
    expect(quiet.calls).toBe(1);
    expect(quiet.events.find((e) => e.kind === "poll")).toMatchObject({ status: 304 });
    expect(target.received).toHaveLength(0);
  });

  it("follows Link rel=next until it reaches delivered events, and backfills the 300-event window", async () => {
    api.add(1);
    await run();
    const fresh = api.add(150);
    const { result, calls } = await run();
    expect(result.delivered).toBe(150);
    expect(calls).toBe(2);
    expect(target.received.map((r) => r.headers["x-github-delivery"])).toEqual(
      fresh.map((e) => deliveryGuid(e.id)),
    );

    statePath = join(tempDir(), "all.json");
    target.received.length = 0;
    api.add(200);
    const all = await run({ since: "all" });
    expect(all.result.delivered).toBe(300);
    expect(all.calls).toBe(3);
  });

  it("steps over event types that have no webhook, moving the cursor past them", async () => {
    api.add(1);
    await run();
    api.add(1, "SomeFutureEvent");
    const push = api.add(1, "WatchEvent");
    const { result, state } = await run();
    expect(result.skipped).toBe(1);
    expect(target.received.map((r) => r.headers["x-github-event"])).toEqual(["watch"]);
    expect(state.data.cursor).toBe(push[0]?.id);
  });

  it("waits for x-ratelimit-reset on a rate-limited 403; a 403 without those headers is a bad token (exit 2)", async () => {
    api.add(1);
    await run();
    const now = new Date("2026-01-01T00:00:00Z");
    const reset = String(now.getTime() / 1000 + 30);
    api.failures.push({ status: 403, headers: { "x-ratelimit-remaining": "0", "x-ratelimit-reset": reset } });
    const waited = await run({ now: () => now });
    expect(waited.waits).toEqual([30_000]);
    api.failures.push({
      status: 403,
      body: JSON.stringify({ message: "Resource not accessible by integration" }),
    });
    const refused = (await run().catch((error: unknown) => error)) as HookError;
    expect(refused).toBeInstanceOf(HookError);
    expect(refused.exitCode).toBe(2);
    expect(refused.message).toMatch(/github API: 403 Resource not accessible/);
  });

  it("maps every documented Events API type, and reads Link headers", () => {
    expect(Object.keys(GITHUB_EVENT_NAMES)).toHaveLength(17);
    expect(GITHUB_EVENT_NAMES.IssueCommentEvent).toBe("issue_comment");
    expect(nextLink('<https://x/e?page=2>; rel="next", <https://x/e?page=3>; rel="last"')).toBe(
      "https://x/e?page=2",
    );
    expect(nextLink('<https://x/e?page=1>; rel="prev"')).toBeUndefined();
    expect(deliveryGuid("1")).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
  });
});
