import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import Stripe from "stripe";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BIN, CliProcess, runCli } from "../helpers/cli.js";
import { Target } from "../helpers/target.js";
import { FakeStripeApi } from "./helpers/fake-stripe-api.js";
import { tempDir } from "./helpers/run-pass.js";

const SECRET = "whsec_cli_poll_secret";

/** The real CLI, as cron runs it: exit codes, the lock, kill -9. */
describe("hook poll (CLI)", () => {
  let api: FakeStripeApi;
  let target: Target;
  let cwd: string;

  beforeEach(async () => {
    api = await new FakeStripeApi().start();
    target = await new Target().start();
    cwd = tempDir();
  });
  afterEach(async () => {
    await api.close();
    await target.close();
  });

  const args = (...extra: string[]) => [
    "poll",
    "--provider",
    "stripe",
    "--api-base",
    api.url,
    "-f",
    `${target.url}/hooks`,
    "--secret",
    SECRET,
    ...extra,
  ];
  const env = { STRIPE_API_KEY: "sk_test_fake" };
  const ids = () => target.received.map((r) => (JSON.parse(r.body.toString("utf8")) as { id: string }).id);
  const statePath = () => join(cwd, ".hook", "poll", "stripe-events.json");
  const lockPath = () => `${statePath()}.lock`;

  it("--once --since all delivers everything, reports NDJSON, and exits 0; the next run finds nothing", async () => {
    const events = api.add(130);
    const first = await runCli(args("--once", "--since", "all", "--json"), { cwd, env });
    expect(first.stderr).toBe("");
    expect(first.code).toBe(0);
    expect(ids()).toEqual(events.map((e) => e.id));
    const lines = first.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.filter((l) => l.kind === "poll").length).toBe(3);
    expect(lines.filter((l) => l.kind === "delivery")).toHaveLength(130);
    expect(lines.at(-1)).toMatchObject({ kind: "summary", delivered: 130, failed: 0, exitCode: 0 });
    const request = target.received[0];
    expect(() =>
      Stripe.webhooks.constructEvent(
        request?.body.toString() ?? "",
        String(request?.headers["stripe-signature"]),
        SECRET,
      ),
    ).not.toThrow();
    expect(JSON.parse(readFileSync(statePath(), "utf8"))).toMatchObject({
      provider: "stripe",
      cursor: events.at(-1)?.id,
    });
    expect(existsSync(lockPath())).toBe(false);
    const second = await runCli(args("--once"), { cwd, env });
    expect(second.code).toBe(0);
    expect(second.stderr).toMatch(/delivered 0, 1 API call/);
    expect(target.received).toHaveLength(130);
  });

  it("exits 1 when a delivery fails; the rerun resumes at that event", async () => {
    const events = api.add(10);
    let refused = false;
    target.respond = (req) => {
      if (refused || !req.body.toString().includes(`"${events[4]?.id}"`)) return { status: 200 };
      refused = true;
      return { status: 503 };
    };
    const first = await runCli(args("--once", "--since", "all"), { cwd, env });
    expect(first.code).toBe(1);
    expect(first.stderr).toMatch(/delivery of evt_\w+ failed \(answered 503\)/);
    const second = await runCli(args("--once"), { cwd, env });
    expect(second.code).toBe(0);
    expect(ids().filter((_, i) => i !== 4)).toEqual(events.map((e) => e.id));
  });

  it("an API answer that never ends is cut at --timeout and retried; the run ends and releases the lock", async () => {
    const events = api.add(3);
    api.failures.push({ status: 200, trickle: true });
    const result = await runCli(args("--once", "--since", "all", "--timeout", "400ms"), { cwd, env });
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(`no complete answer from ${new URL(api.url).host} within 400ms`);
    expect(ids()).toEqual(events.map((e) => e.id));
    expect(existsSync(lockPath())).toBe(false);
  });

  it("--types patterns match whole event types, the same way as listen's --events", async () => {
    api.add(1);
    expect((await runCli(args("--once"), { cwd, env })).code).toBe(0);
    const wanted = [...api.add(1, "charge.refunded"), ...api.add(1, "payment_intent.created")];
    api.add(1, "charge.refunded.updated");
    api.add(1, "xcharge.refunded");
    api.add(1, "payment_intent");
    const result = await runCli(args("--once", "--types", "charge.refunded, payment_intent.*"), { cwd, env });
    expect(result.code).toBe(0);
    expect(ids()).toEqual(wanted.map((e) => e.id));
    const empty = await runCli(args("--once", "--types", " , "), { cwd, env });
    expect(empty.code).toBe(2);
    expect(empty.stderr).toMatch(/--types: no patterns given/);
  });

  it("`--json | head -2` (the reader goes away mid-backfill) leaves neither the lock nor the spool behind", async () => {
    api.add(400);
    const command = [process.execPath, BIN, ...args("--once", "--since", "all", "--json")]
      .map((a) => `'${a}'`)
      .join(" ");
    const piped = spawn("sh", ["-c", `${command} | head -2`], {
      cwd,
      env: { PATH: process.env.PATH, ...env },
    });
    let stdout = "";
    piped.stdout.setEncoding("utf8").on("data", (d: string) => {
      stdout += d;
    });
    const code = await new Promise<number | null>((resolve) => piped.on("close", resolve));
    expect(code).toBe(0);
    expect(stdout.trim().split("\n")).toHaveLength(2);
    // The reader left before the run was done: had it not, this test would prove nothing.
    expect(target.received.length).toBeLessThan(400);
    expect(existsSync(lockPath())).toBe(false);
    expect(readdirSync(dirname(statePath())).filter((f) => f.includes("spool"))).toEqual([]);
  });

  it("exits 75 at once while another run holds the lock, naming the lock and the holder pid", async () => {
    mkdirSync(join(cwd, ".hook", "poll"), { recursive: true });
    writeFileSync(lockPath(), JSON.stringify({ pid: process.pid, startedAt: new Date().toISOString() }));
    const result = await runCli(args("--once"), { cwd, env });
    expect(result.code).toBe(75);
    expect(result.stderr).toContain(`pid ${process.pid}`);
    expect(result.stderr).toContain(lockPath());
    expect(api.calls).toHaveLength(0);
    expect(existsSync(lockPath())).toBe(true);
  });

  it("a real second run while the first one loops exits 75", async () => {
    api.add(1);
    const first = new CliProcess(args("--interval", "1h", "--json"), { cwd, env });
    await first.waitFor(/"kind":"summary"|"kind":"poll"/);
    const second = await runCli(args("--once"), { cwd, env });
    expect(second.code).toBe(75);
    expect(second.stderr).toContain(`pid ${first.child.pid}`);
    expect((await first.stop()).code).toBe(130);
    expect(existsSync(lockPath())).toBe(false);
  });

  it("after kill -9 mid-run, the rerun takes the stale lock over and loses nothing", async () => {
    const events = api.add(60);
    target.respond = () => ({ status: 200, delayMs: 20 });
    const child = new CliProcess(args("--once", "--since", "all"), { cwd, env });
    await target.waitFor(15);
    child.child.kill("SIGKILL");
    await child.exited;
    expect(existsSync(lockPath())).toBe(true);
    target.respond = () => ({ status: 200 });
    const rerun = await runCli(args("--once"), { cwd, env });
    expect(rerun.code).toBe(0);
    const seen = ids();
    // At least once: every event arrived, in order; at most the one in flight at the kill came twice.
    expect([...new Set(seen)]).toEqual(events.map((e) => e.id));
    expect(seen.length - new Set(seen).size).toBeLessThanOrEqual(1);
    expect(existsSync(lockPath())).toBe(false);
  });

  it("takes over a lock whose pid is dead", async () => {
    const dead = spawnSync(process.execPath, [
      "-e",
      "process.stdout.write(String(process.pid))",
    ]).stdout.toString();
    mkdirSync(join(cwd, ".hook", "poll"), { recursive: true });
    writeFileSync(lockPath(), JSON.stringify({ pid: Number(dead), startedAt: "2026-01-01T00:00:00.000Z" }));
    api.add(3);
    const result = await runCli(args("--once"), { cwd, env });
    expect(result.code).toBe(0);
  });

  it("a refused key exits 2 naming the API and STRIPE_API_KEY; no key at all too", async () => {
    const refused = await runCli(args("--once"), { cwd, env: { STRIPE_API_KEY: "sk_test_wrong" } });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/hook: Stripe API: 401/);
    expect(refused.stderr).toMatch(/hint: .*STRIPE_API_KEY/);
    expect(refused.stderr).not.toContain("sk_test_wrong");
    const missing = await runCli(args("--once"), { cwd });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/no Stripe API key/);
  });

  it("a corrupt or foreign state file is exit 2 naming the file, and is left as it was", async () => {
    mkdirSync(join(cwd, ".hook", "poll"), { recursive: true });
    writeFileSync(statePath(), "{not json");
    const corrupt = await runCli(args("--once"), { cwd, env });
    expect(corrupt.code).toBe(2);
    expect(corrupt.stderr).toContain(statePath());
    expect(readFileSync(statePath(), "utf8")).toBe("{not json");
    const foreign = { version: 1, provider: "github", source: "repo-a-b", delivered: [], updatedAt: "" };
    writeFileSync(statePath(), JSON.stringify(foreign));
    const wrong = await runCli(args("--once"), { cwd, env });
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/belongs to github repo-a-b/);
  });

  it("loops on --interval and stops cleanly on Ctrl-C with exit 130, state saved, lock released", async () => {
    api.add(2);
    const child = new CliProcess(args("--interval", "200ms", "--json"), { cwd, env });
    await child.waitFor(/"kind":"summary"|"kind":"poll".*\n.*"kind":"poll"/);
    const fresh = api.add(2);
    await target.waitFor(2);
    const stopped = await child.stop("SIGINT");
    expect(stopped.code).toBe(130);
    expect(ids()).toEqual(fresh.map((e) => e.id));
    expect(JSON.parse(readFileSync(statePath(), "utf8")).cursor).toBe(fresh.at(-1)?.id);
    expect(existsSync(lockPath())).toBe(false);
  });

  it("Ctrl-C during a delivery lets it finish and records it, then stops with 130", async () => {
    api.add(1);
    expect((await runCli(args("--once"), { cwd, env })).code).toBe(0);
    const fresh = api.add(5);
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let arrived: () => void = () => {};
    const first = new Promise<void>((resolve) => {
      arrived = resolve;
    });
    target.respond = async () => {
      arrived();
      await held;
      return { status: 200 };
    };
    const child = new CliProcess(args("--interval", "10s"), { cwd, env });
    await first;
    child.child.kill("SIGINT");
    await child.waitFor(/stopping: the delivery in flight finishes/);
    release();
    const stopped = await child.exited;
    expect(stopped.code).toBe(130);
    expect(ids()).toEqual([fresh[0]?.id]);
    expect(JSON.parse(readFileSync(statePath(), "utf8")).cursor).toBe(fresh[0]?.id);
    expect(child.stderr).toMatch(/interrupted; state saved/);
  });

  it("a second Ctrl-C (no waiting for the delivery in flight) still releases the lock", async () => {
    api.add(1);
    expect((await runCli(args("--once"), { cwd, env })).code).toBe(0);
    api.add(3);
    let arrived: () => void = () => {};
    const first = new Promise<void>((resolve) => {
      arrived = resolve;
    });
    // The delivery never ends: only the second Ctrl-C can stop the run.
    target.respond = () => {
      arrived();
      return new Promise(() => {});
    };
    const child = new CliProcess(args("--interval", "10s"), { cwd, env });
    await first;
    expect(existsSync(lockPath())).toBe(true);
    child.child.kill("SIGINT");
    await child.waitFor(/stopping: the delivery in flight finishes/);
    child.child.kill("SIGINT");
    expect((await child.exited).code).toBe(130);
    expect(existsSync(lockPath())).toBe(false);
  });

  it("usage errors are exit 2 and name the flag", async () => {
    const noTarget = await runCli(["poll", "--provider", "stripe", "--once"], { cwd, env });
    expect(noTarget.code).toBe(2);
    expect(noTarget.stderr).toMatch(/--forward-to is required/);
    const badProvider = await runCli(["poll", "--provider", "paypal", "-f", target.url], { cwd, env });
    expect(badProvider.code).toBe(2);
    expect(badProvider.stderr).toMatch(/stripe, github, liqpay, http/);
    const zero = await runCli(args("--interval", "0s"), { cwd, env });
    expect(zero.code).toBe(2);
    expect(zero.stderr).toMatch(/--interval must be more than 0/);
  });
});
