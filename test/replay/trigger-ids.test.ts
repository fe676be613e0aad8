import { readFileSync } from "node:fs";
import { join } from "node:path";
import Stripe from "stripe";
import { Webhook as Svix } from "svix";
import { afterEach, describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { type Received, Target } from "../helpers/target.js";
import { startListen, waitForLines, workDir } from "../listen/helpers.js";
import { header, tempDir } from "./helpers.js";

const SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
let target: Target;
afterEach(async () => {
  await target?.close();
});

const bodyId = (r: Received | undefined) => (JSON.parse(r?.body.toString() ?? "{}") as { id?: string }).id;

async function trigger(provider: string, event: string, ...extra: string[]) {
  const result = await runCli(
    ["trigger", provider, event, "--to", target.url, "--secret", SECRET, "--json", ...extra],
    {
      cwd: tempDir(),
    },
  );
  const results = result.stdout
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .filter((l) => l.kind === "result");
  return { result, results };
}

describe("hook trigger: event ids", () => {
  it("each run sends a fresh event id, --repeat sends one id N times, --id sends the one given", async () => {
    target = await new Target().start();
    const first = await trigger("stripe", "payment_intent.succeeded");
    const second = await trigger("stripe", "payment_intent.succeeded");
    expect(first.result.code, first.result.stderr).toBe(0);
    const [a, b] = target.received.map(bodyId);
    expect(a).toMatch(/^evt_\w{14,}$/);
    expect(b).toMatch(/^evt_\w{14,}$/);
    expect(a).not.toBe(b);
    // What the lines say is what was sent.
    expect(first.results[0]?.eventId).toBe(a);
    expect(second.results[0]?.eventId).toBe(b);
    // Each still verifies with the provider's SDK: only the id changed.
    for (const r of target.received)
      expect(Stripe.webhooks.constructEvent(r.body, header(r, "stripe-signature"), SECRET).id).toBe(
        bodyId(r),
      );

    target.received.length = 0;
    const repeated = await trigger("stripe", "payment_intent.succeeded", "--repeat", "3");
    const ids = target.received.map(bodyId);
    expect(new Set(ids).size).toBe(1);
    expect(repeated.results.map((r) => r.eventId)).toEqual(ids);

    target.received.length = 0;
    await trigger("stripe", "payment_intent.succeeded", "--id", "evt_chosen_1");
    expect(bodyId(target.received[0])).toBe("evt_chosen_1");
  });

  it("the id shown (lines, --json, JUnit) is the one sent after --set", async () => {
    target = await new Target().start();
    const dir = tempDir();
    const result = await runCli(
      [
        "trigger",
        "stripe",
        "invoice.paid",
        "--to",
        target.url,
        "--secret",
        SECRET,
        "--set",
        "id=evt_after_set",
        "--report",
        "r.xml",
      ],
      { cwd: dir },
    );
    expect(result.code, result.stderr).toBe(0);
    expect(bodyId(target.received[0])).toBe("evt_after_set");
    expect(result.stderr).toContain("evt_after_set");
    expect(readFileSync(join(dir, "r.xml"), "utf8")).toContain("evt_after_set");
    const json = await trigger("stripe", "invoice.paid", "--set", "id=evt_json_set");
    expect(json.results[0]?.eventId).toBe("evt_json_set");
  });

  it("a provider whose delivery id is the event id (GitHub) gets a fresh one per run, kept across --repeat", async () => {
    target = await new Target().start();
    await trigger("github", "push");
    await trigger("github", "push", "--repeat", "2");
    const deliveries = target.received.map((r) => header(r, "x-github-delivery"));
    expect(deliveries[0]).not.toBe(deliveries[1]);
    expect(deliveries[1]).toBe(deliveries[2]);
    expect(new Set(deliveries).size).toBe(2);
  });

  it("trigger takes replay's --provider: svix signs standard's sample the Svix way, as does `trigger svix`", async () => {
    target = await new Target().start();
    const flag = await trigger("standard", "contact.created", "--provider", "svix");
    expect(flag.result.code, flag.result.stderr).toBe(0);
    const alias = await trigger("svix", "contact.created");
    expect(alias.result.code, alias.result.stderr).toBe(0);
    const svix = new Svix(SECRET);
    for (const r of target.received) {
      expect(header(r, "svix-signature")).toBeTruthy();
      expect(() =>
        svix.verify(r.body.toString(), {
          "svix-id": header(r, "svix-id"),
          "svix-timestamp": header(r, "svix-timestamp"),
          "svix-signature": header(r, "svix-signature"),
        }),
      ).not.toThrow();
    }
    expect(header(target.received[0] as Received, "svix-id")).not.toBe(
      header(target.received[1] as Received, "svix-id"),
    );
  });
});

describe("hook trigger takes every flag of hook replay", () => {
  it("replay's options are all trigger's options (trigger adds --id)", async () => {
    const flags = (help: string) =>
      new Set([...help.matchAll(/^\s+(?:-\w, )?(--[\w-]+)/gm)].map((m) => m[1]));
    const replay = flags((await runCli(["replay", "--help"])).stdout);
    const trigger = flags((await runCli(["trigger", "--help"])).stdout);
    expect(replay.size).toBeGreaterThan(10);
    expect([...replay].filter((f) => !trigger.has(f))).toEqual([]);
    expect([...trigger].filter((f) => !replay.has(f))).toEqual(["--id"]);
  });
});

describe("hook trigger into hook listen", () => {
  it("two triggers are two events, in this session and the next: none is marked duplicate; --repeat 2 is", async () => {
    const work = workDir();
    const args = ["--provider", "stripe", "--secret", SECRET];
    const send = (to: string, ...extra: string[]) =>
      runCli(["trigger", "stripe", "invoice.paid", "--to", to, "--secret", SECRET, ...extra], {
        cwd: work.dir,
      });
    let listen = await startListen(args, { cwd: work.dir });
    try {
      await send(listen.url);
      await send(listen.url);
      const first = await waitForLines(listen.proc, "request", 2);
      expect(first.map((l) => l.duplicate)).toEqual([false, false]);
      await listen.proc.stop("SIGINT");
      listen = await startListen(args, { cwd: work.dir });
      await send(listen.url, "--repeat", "2");
      const next = await waitForLines(listen.proc, "request", 2);
      expect(next.map((l) => l.duplicate)).toEqual([false, true]);
    } finally {
      await listen.proc.stop("SIGINT");
      work.remove();
    }
  });
});
