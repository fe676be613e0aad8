import { randomUUID } from "node:crypto";
import { sign } from "@octokit/webhooks-methods";
import { afterEach, describe, expect, it } from "vitest";
import { type Listening, startListen, waitForLines } from "../listen/helpers.js";
import { FakeGithubApi, type GithubEventLike } from "../poll/helpers/fake-github-api.js";
import { reconcileSetup } from "./helpers.js";

const SECRET = "github-webhook-secret";
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const step of cleanups.splice(0).reverse()) await step();
});

/** The push webhook GitHub sends for an Events API PushEvent: a richer body, and a GUID of its own. */
function pushWebhook(event: GithubEventLike): string {
  const payload = event.payload as { ref: string; head: string; before: string };
  return JSON.stringify({
    ref: payload.ref,
    before: payload.before,
    after: payload.head,
    created: false,
    deleted: false,
    forced: false,
    commits: [],
    head_commit: null,
    repository: {
      id: event.repo.id,
      name: "hello",
      full_name: event.repo.name,
      private: false,
      owner: { login: "octo", id: 7 },
      default_branch: "main",
    },
    pusher: { name: "octocat", email: "octocat@example.com" },
    sender: { login: "octocat", id: 1 },
  });
}

async function send(l: Listening, body: string): Promise<number> {
  const res = await fetch(`${l.url}/`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-github-event": "push",
      "x-github-delivery": randomUUID(),
      "x-hub-signature-256": await sign(SECRET, body),
    },
    body,
  });
  return res.status;
}

describe("hook listen --reconcile (GitHub)", () => {
  it("fills in pushes no webhook brought, matched by payload, then costs one 304 a pass", async () => {
    const { api, app, work } = await reconcileSetup(cleanups, await new FakeGithubApi().start());
    api.pollInterval = 0;
    const args = [
      "--provider",
      "github",
      "--secret",
      SECRET,
      "-f",
      app.url,
      "--reconcile",
      "--repo",
      "octo/hello",
    ];
    const l = await startListen([...args, "--api-base", api.url, "--every", "300ms", "--since", "all"], {
      cwd: work.dir,
    });
    cleanups.push(() => l.proc.stop("SIGKILL"));
    const events = api.add(20);
    const dropped = new Set([2, 9, 17]);
    for (const [i, event] of events.entries()) {
      if (!dropped.has(i)) expect(await send(l, pushWebhook(event))).toBe(200);
    }
    await app.waitFor(20, 20_000);
    // A late webhook for a dropped push: the app has it already.
    const lateEvent = events[9];
    if (lateEvent) expect(await send(l, pushWebhook(lateEvent))).toBe(200);
    const passes = linesNow(l, "reconcile");
    await waitForLines(l.proc, "reconcile", passes + 3);
    const afters = app.received.map((r) => (JSON.parse(r.body.toString()) as { after: string }).after);
    expect(afters.filter((a, i) => afters.indexOf(a) !== i)).toEqual([]);
    expect(new Set(afters)).toEqual(new Set(events.map((e) => (e.payload as { head: string }).head)));
    // Idle passes: one conditional request each, answered 304 (which GitHub does not count).
    const idle = (await waitForLines(l.proc, "reconcile", passes + 3)).slice(passes);
    expect(idle.map((p) => p.calls)).toEqual([1, 1, 1]);
    const calls = await waitForLines(l.proc, "poll", 1);
    expect(calls.at(-1)?.status).toBe(304);
    expect(api.requests.at(-1)?.ifNoneMatch).toBeDefined();
  }, 40_000);
});

function linesNow(l: Listening, kind: string): number {
  const complete = l.proc.stdout.slice(0, l.proc.stdout.lastIndexOf("\n") + 1);
  return complete.split("\n").filter((line) => line.includes(`"kind":"${kind}"`)).length;
}
