import Stripe from "stripe";
import { afterEach, describe, expect, it } from "vitest";
import { builtinSamples } from "../../src/store/builtin-fixtures.js";
import { CliProcess, runCli } from "../helpers/cli.js";
import { type Received, Target } from "../helpers/target.js";
import { header, tempDir, writeStaleFixture } from "./helpers.js";

const SECRET = "whsec_trigger_secret";
let target: Target;
afterEach(async () => {
  await target?.close();
});

describe("hook trigger and hook fixtures", () => {
  it("trigger sends the built-in sample to exactly --to, signed for the SDK, from any folder", async () => {
    target = await new Target().start();
    target.respond = (r) => {
      try {
        Stripe.webhooks.constructEvent(r.body, header(r, "stripe-signature"), SECRET);
        return { status: 200 };
      } catch {
        return { status: 400 };
      }
    };
    const result = await runCli(
      [
        "trigger",
        "stripe",
        "payment_intent.succeeded",
        "--to",
        `${target.url}/api/stripe?x=1`,
        "--secret",
        SECRET,
      ],
      { cwd: tempDir() },
    );
    expect(result.code, result.stderr).toBe(0);
    expect(target.received[0]?.url).toBe("/api/stripe?x=1");
    expect(JSON.parse(target.received[0]?.body.toString() ?? "{}")).toMatchObject({
      type: "payment_intent.succeeded",
      object: "event",
      data: { object: { object: "payment_intent", status: "succeeded" } },
    });
  });

  it("trigger accepts the event name with a slash (shopify orders/create) and lists what exists for an unknown one", async () => {
    target = await new Target().start();
    const ok = await runCli(["trigger", "shopify", "orders/create", "--to", target.url, "--secret", "s"], {
      cwd: tempDir(),
    });
    expect(ok.code).toBe(0);
    expect(header(target.received[0] as Received, "x-shopify-topic")).toBe("orders/create");
    const unknown = await runCli([
      "trigger",
      "stripe",
      "payment.nope",
      "--to",
      target.url,
      "--secret",
      SECRET,
    ]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('no built-in stripe sample for event "payment.nope"');
    expect(unknown.stderr).toContain("payment_intent.succeeded");
    const noProvider = await runCli(["trigger", "acme", "x", "--to", target.url]);
    expect(noProvider.code).toBe(2);
    expect(target.received).toHaveLength(1);
  });

  it("fixtures lists the samples, per provider, with --json", async () => {
    const all = await runCli(["fixtures"]);
    expect(all.code).toBe(0);
    expect(all.stdout).toMatch(/^stripe +payment_intent\.succeeded$/m);
    const github = await runCli(["fixtures", "github", "--json"]);
    const lines = github.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    // Every GitHub sample, in file-name order; the list itself grows with fixtures/github/.
    expect(lines.map((l) => l.event)).toEqual(builtinSamples("github").map((s) => s.event));
    expect(lines.map((l) => l.event)).toEqual(
      expect.arrayContaining(["issues.opened", "ping", "pull_request.opened", "push"]),
    );
    expect(lines.every((l) => l.kind === "fixture" && l.provider === "github")).toBe(true);
    expect((await runCli(["fixtures", "acme"])).code).toBe(2);
  });

  it("--header adds headers and can override a signature on purpose", async () => {
    const dir = tempDir();
    writeStaleFixture(dir, "a.json", { provider: "stripe", body: '{"id":"evt_h"}' }, SECRET);
    target = await new Target().start();
    const result = await runCli(
      [
        "replay",
        "a.json",
        "--to",
        target.url,
        "--secret",
        SECRET,
        "--header",
        "X-Test-Run: 42",
        "--header",
        "Stripe-Signature: t=1,v1=bad",
      ],
      { cwd: dir },
    );
    expect(result.code).toBe(0);
    expect(header(target.received[0] as Received, "x-test-run")).toBe("42");
    expect(header(target.received[0] as Received, "stripe-signature")).toBe("t=1,v1=bad");
  });

  it("user:pass in --to becomes Basic auth and the password is never printed", async () => {
    target = await new Target().start();
    const to = target.url.replace("http://", "http://qa:s3cr3t-pw@");
    const result = await runCli(
      ["trigger", "stripe", "invoice.paid", "--to", to, "--secret", SECRET, "--json"],
      {
        cwd: tempDir(),
      },
    );
    expect(result.code).toBe(0);
    expect(header(target.received[0] as Received, "authorization")).toBe(
      `Basic ${Buffer.from("qa:s3cr3t-pw").toString("base64")}`,
    );
    expect(result.stdout + result.stderr).not.toContain("s3cr3t-pw");
    expect(result.stdout + result.stderr).not.toContain(SECRET);
    expect(result.stdout).toContain("qa:***@127.0.0.1");
  });

  it("Ctrl-C stops sending, lets in-flight requests finish, reports and exits 130", async () => {
    const dir = tempDir();
    for (let i = 0; i < 20; i++)
      writeStaleFixture(
        dir,
        `f/${String(i).padStart(2, "0")}.json`,
        { provider: "stripe", body: `{"id":"evt_${i}"}` },
        SECRET,
      );
    target = await new Target().start();
    target.respond = () => ({ status: 200, delayMs: 200 });
    const cli = new CliProcess(["replay", "f", "--to", target.url, "--secret", SECRET, "--json"], {
      cwd: dir,
    });
    await cli.waitFor(/"kind":"result"/);
    const { code } = await cli.stop("SIGINT");
    expect(code).toBe(130);
    const summary = cli.jsonLines().at(-1);
    expect(summary).toMatchObject({ kind: "summary", interrupted: true });
    expect(summary?.notSent).toBeGreaterThan(0);
    expect(target.received.length).toBeLessThan(20);
  });
});
