import { createHash } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { verify } from "@octokit/webhooks-methods";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CliProcess, runCli } from "../helpers/cli.js";
import { Target } from "../helpers/target.js";
import { FakeGithubApi } from "./helpers/fake-github-api.js";
import { FakeLiqpayApi } from "./helpers/fake-liqpay-api.js";
import { FakeStripeApi } from "./helpers/fake-stripe-api.js";
import { tempDir } from "./helpers/run-pass.js";

/** Each source wired through the real CLI: flags, key variables, default state paths. */
describe("hook poll sources (CLI)", () => {
  let target: Target;
  let cwd: string;
  beforeEach(async () => {
    target = await new Target().start();
    cwd = tempDir();
  });
  afterEach(async () => {
    await target.close();
  });
  const json = (stdout: string) =>
    stdout
      .trim()
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>);

  it("github: GITHUB_TOKEN, --repo, signed deliveries, then a 304", async () => {
    const api = await new FakeGithubApi().start();
    try {
      const args = [
        "poll",
        "--provider",
        "github",
        "--repo",
        "octo/hello",
        "--api-base",
        api.url,
        "-f",
        target.url,
        "--secret",
        "s3cret",
        "--once",
        "--json",
      ];
      const env = { GITHUB_TOKEN: "ghp_cli" };
      api.add(2);
      expect((await runCli(args, { cwd, env })).code).toBe(0);
      api.add(2, "IssuesEvent");
      const second = await runCli(args, { cwd, env });
      expect(second.code).toBe(0);
      expect(target.received.map((r) => r.headers["x-github-event"])).toEqual(["issues", "issues"]);
      for (const r of target.received) {
        expect(
          await verify("s3cret", r.body.toString("utf8"), String(r.headers["x-hub-signature-256"])),
        ).toBe(true);
      }
      expect(api.requests[1]?.authorization).toBe("Bearer ghp_cli");
      const third = await runCli(args, { cwd, env });
      expect(json(third.stdout).find((l) => l.kind === "poll")).toMatchObject({ status: 304, count: 0 });
      expect(target.received).toHaveLength(2);
    } finally {
      await api.close();
    }
  });

  it("github: the loop waits X-Poll-Interval when it is longer than --interval", async () => {
    const api = await new FakeGithubApi().start();
    try {
      api.pollInterval = 1;
      api.add(1);
      const args = [
        "poll",
        "--provider",
        "github",
        "--user",
        "octocat",
        "--api-base",
        api.url,
        "-f",
        target.url,
        "--interval",
        "50ms",
        "--json",
      ];
      const child = new CliProcess(args, { cwd });
      await child.waitFor(/"kind":"poll"[^\n]*\n(.*\n)*.*"kind":"poll"/);
      expect((await child.stop()).code).toBe(130);
      const [first, second] = api.requests;
      expect(second?.url).toBe("/users/octocat/events?per_page=100");
      // A floor, not a speed: the second poll may not come before the interval GitHub asked for.
      expect((second?.at ?? 0) - (first?.at ?? 0)).toBeGreaterThanOrEqual(990);
    } finally {
      await api.close();
    }
  });

  it("liqpay: --public-key, --order, LIQPAY_PRIVATE_KEY; final statuses end the follow-up", async () => {
    const api = await new FakeLiqpayApi("pub_1", "priv_1").start();
    try {
      api.statuses.set("o1", "success");
      api.statuses.set("o2", "processing");
      const args = [
        "poll",
        "--provider",
        "liqpay",
        "--public-key",
        "pub_1",
        "--order",
        "o1",
        "--order",
        "o2",
        "--api-base",
        api.url,
        "-f",
        target.url,
        "--once",
      ];
      const run = await runCli(args, { cwd, env: { LIQPAY_PRIVATE_KEY: "priv_1" } });
      expect(run.stderr).toMatch(/delivered 2/);
      expect(run.code).toBe(0);
      for (const r of target.received) {
        const form = new URLSearchParams(r.body.toString());
        const data = form.get("data") ?? "";
        expect(form.get("signature")).toBe(createHash("sha1").update(`priv_1${data}priv_1`).digest("base64"));
      }
    } finally {
      await api.close();
    }
  });

  it("http: --url, --items, --id, --time, --cursor-param and --header", async () => {
    const items: { id: string; ts: number }[] = [];
    const seen: { url: string; auth?: string }[] = [];
    const server: Server = createServer((req, res) => {
      seen.push({ url: req.url ?? "", auth: req.headers.authorization });
      const since = new URL(req.url ?? "/", "http://x").searchParams.get("since_id");
      const list = items.filter((i) => since === null || Number(i.id) > Number(since));
      res.end(JSON.stringify({ page: { events: list.toReversed() } }));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v2/events`;
    try {
      items.push({ id: "1", ts: 1_700_000_001 }, { id: "2", ts: 1_700_000_002 });
      const args = [
        "poll",
        "--provider",
        "http",
        "--url",
        url,
        "--items",
        "page.events",
        "--id",
        "id",
        "--time",
        "ts",
        "--cursor-param",
        "since_id",
        "--header",
        "Authorization: Bearer tok",
        "-f",
        target.url,
        "--once",
      ];
      expect((await runCli(args, { cwd })).code).toBe(0);
      items.push({ id: "3", ts: 1_700_000_003 }, { id: "4", ts: 1_700_000_004 });
      expect((await runCli(args, { cwd })).code).toBe(0);
      expect(target.received.map((r) => JSON.parse(r.body.toString()).id)).toEqual(["3", "4"]);
      expect(seen[1]).toEqual({ url: "/v2/events?since_id=2", auth: "Bearer tok" });
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it("stripe: a cursor Stripe no longer lists is an error that keeps the state, never a silent reset", async () => {
    const api = await new FakeStripeApi().start();
    try {
      api.add(3);
      const state = join(cwd, "poll-state.json");
      mkdirSync(cwd, { recursive: true });
      writeFileSync(
        state,
        JSON.stringify({
          version: 1,
          provider: "stripe",
          source: "events",
          cursor: "evt_gone",
          delivered: [],
          updatedAt: "",
        }),
      );
      const run = await runCli(
        ["poll", "--provider", "stripe", "--api-base", api.url, "-f", target.url, "--state", state, "--once"],
        { cwd, env: { STRIPE_API_KEY: api.key } },
      );
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/the cursor event evt_gone is no longer listed/);
      expect(run.stderr).toMatch(/hint: Stripe keeps events 30 days/);
      expect(target.received).toHaveLength(0);
    } finally {
      await api.close();
    }
  });
});
