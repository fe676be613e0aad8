import { readFileSync } from "node:fs";
import { join } from "node:path";
import Stripe from "stripe";
import { afterEach, describe, expect, it } from "vitest";
import { listen, receiverFor } from "../commands/helpers/receivers.js";
import { runCli } from "../helpers/cli.js";
import { type Received, type Reply, Target } from "../helpers/target.js";
import { header, tempDir } from "../replay/helpers.js";

const SECRET = "whsec_check_verdicts_secret";

/** The handler of Stripe's own docs: constructEvent, and `Webhook Error: <message>` as the 400 body. */
function stripeDocsEndpoint(secret: string): (r: Received) => Reply {
  return (r) => {
    try {
      Stripe.webhooks.constructEvent(r.body, header(r, "stripe-signature"), secret);
      return { status: 200, body: '{"received":true}' };
    } catch (error) {
      return { status: 400, body: `Webhook Error: ${(error as Error).message}` };
    }
  };
}

let target: Target | undefined;
afterEach(async () => {
  await target?.close();
  target = undefined;
});

async function check(to: string, ...extra: string[]) {
  const dir = tempDir("hook-check-");
  const result = await runCli(["check", "--to", to, "--secret", SECRET, "--report", "r.xml", ...extra], {
    cwd: dir,
  });
  const json = await runCli(["check", "--to", to, "--secret", SECRET, "--json", ...extra], { cwd: dir });
  const lines = json.stdout
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  const outcomes = Object.fromEntries(
    lines.filter((l) => l.kind === "scenario").map((l) => [l.id, l.outcome]),
  );
  const summary = lines.find((l) => l.kind === "summary") as Record<string, unknown> & {
    firstFix?: { cause: string; message: string };
  };
  return { result, json, outcomes, summary, xml: readFileSync(join(dir, "r.xml"), "utf8") };
}

const DEPENDENT = [
  "duplicate",
  "tampered",
  "missing-signature",
  "wrong-secret",
  "stale-timestamp",
  "malformed-body",
  "unknown-event",
  "concurrent",
];

describe("hook check: verdicts that can be trusted", () => {
  it("app down: the valid event FAILs, the rest are INCONCLUSIVE, nothing says 'accepted', and the summary says start the app", async () => {
    const port = await Target.freePort();
    const { result, outcomes, summary, xml } = await check(
      `http://127.0.0.1:${port}/hooks`,
      "--provider",
      "stripe",
    );
    expect(result.code).toBe(1);
    expect(outcomes.valid).toBe("FAIL");
    for (const id of DEPENDENT) expect(outcomes[id], id).toBe("INCONCLUSIVE");
    expect(result.stderr).not.toMatch(/accepted/);
    expect(result.stderr).not.toMatch(/^PASS/m);
    expect(summary).toMatchObject({ passed: 0, failed: 1, inconclusive: 8 });
    expect(summary.firstFix?.cause).toBe("app-down");
    expect(result.stderr).toMatch(
      /fix this first: the app did not answer at http:\/\/127\.0\.0\.1:\d+\/hooks: connection refused/,
    );
    expect(xml).toContain('tests="9" failures="1" errors="8"');
  });

  it("wrong --secret: the reject scenarios are INCONCLUSIVE, not PASS, and the summary names the secret with the app's own words", async () => {
    target = await new Target().start();
    target.respond = stripeDocsEndpoint("whsec_the_endpoints_real_secret");
    const { result, outcomes, summary } = await check(`${target.url}/hooks`, "--provider", "stripe");
    expect(result.code).toBe(1);
    expect(outcomes.valid).toBe("FAIL");
    for (const id of DEPENDENT) expect(outcomes[id], id).toBe("INCONCLUSIVE");
    expect(summary.firstFix?.cause).toBe("wrong-secret");
    expect(summary.firstFix?.message).toContain(
      "No signatures found matching the expected signature for payload",
    );
    expect(result.stderr).toMatch(/fix this first: .*check --secret/);
    // The app's words are on the scenario line too.
    expect(result.stderr).toMatch(
      /FAIL 1\. valid signed event acknowledged +expected 2xx within 10s, got 400 in \d+ms: Webhook Error: No signatures found/,
    );
  });

  it("wrong --provider: the summary names the provider whose header the app asked for", async () => {
    target = await new Target().start();
    target.respond = stripeDocsEndpoint(SECRET);
    const { result, outcomes, summary } = await check(`${target.url}/hooks`, "--provider", "github");
    expect(result.code).toBe(1);
    expect(outcomes.tampered).toBe("INCONCLUSIVE");
    expect(outcomes["wrong-secret"]).toBe("INCONCLUSIVE");
    expect(summary.firstFix?.cause).toBe("wrong-provider");
    expect(summary.firstFix?.message).toMatch(/try --provider stripe/);
  });

  it("wrong --provider against octokit's own middleware: its 'Required headers missing' names GitHub", async () => {
    const receiver = receiverFor("github", SECRET, () => "");
    target = undefined;
    const listening = await listen(receiver.handler);
    try {
      const { summary } = await check(
        `http://127.0.0.1:${listening.port}${receiver.path}`,
        "--provider",
        "stripe",
      );
      expect(summary.firstFix?.cause).toBe("wrong-provider");
      expect(summary.firstFix?.message).toMatch(/Required headers missing.*try --provider github/);
    } finally {
      await new Promise((resolve) => listening.server.close(resolve));
    }
  });

  it("an endpoint that answers every bad request alike: the summary cannot tell secret from provider, and says both", async () => {
    target = await new Target().start();
    target.respond = () => ({ status: 401, body: "unauthorized" });
    const { summary, outcomes } = await check(target.url, "--provider", "stripe");
    expect(outcomes["missing-signature"]).toBe("INCONCLUSIVE");
    expect(summary.firstFix?.cause).toBe("refused");
    expect(summary.firstFix?.message).toMatch(/check --provider .* and --secret/);
  });

  it("a correct endpoint: nine PASS with the titles saying what was measured, no first fix", async () => {
    target = await new Target().start();
    target.respond = stripeDocsEndpoint(SECRET);
    const { result, summary } = await check(target.url, "--provider", "stripe");
    expect(result.code, result.stderr).toBe(0);
    expect(summary).toMatchObject({ passed: 9, failed: 0, inconclusive: 0 });
    expect(summary.firstFix).toBeUndefined();
    expect(result.stderr).toMatch(/PASS 2\. same event acknowledged twice/);
    expect(result.stderr).not.toMatch(/idempotent/);
  });

  it("a tampered body accepted while the valid event was refused is still a FAIL", async () => {
    target = await new Target().start();
    // Refuses everything but a changed body: the one answer that is wrong whatever else happens.
    target.respond = (r) => (r.body.toString().includes("hook_tampered") ? { status: 200 } : { status: 400 });
    const { outcomes } = await check(target.url, "--provider", "stripe");
    expect(outcomes.valid).toBe("FAIL");
    expect(outcomes.tampered).toBe("FAIL");
    expect(outcomes.duplicate).toBe("INCONCLUSIVE");
  });
});
