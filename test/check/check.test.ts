import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import Stripe from "stripe";
import { afterEach, describe, expect, it } from "vitest";
import { getProvider, type ProviderOptions } from "../../src/providers/index.js";
import { runCli } from "../helpers/cli.js";
import { type Received, type Reply, Target } from "../helpers/target.js";
import { header, tempDir } from "../replay/helpers.js";

const SECRET = "whsec_check_secret";
const signature = Stripe.webhooks.signature as NonNullable<typeof Stripe.webhooks.signature>;

interface Endpoint {
  verify?: boolean;
  malformedStatus?: number;
  delayMs?: number;
  knownTypes?: string[];
}

/** A Stripe webhook endpoint, right or wrong in the ways the checklist looks for. */
function stripeEndpoint(options: Endpoint = {}): (r: Received) => Reply {
  const seen = new Set<string>();
  const { verify = true, malformedStatus = 400, delayMs, knownTypes } = options;
  return (r) => {
    const reply = (status: number): Reply => ({ status, delayMs });
    if (verify) {
      try {
        signature.verifyHeader(r.body.toString(), header(r, "stripe-signature"), SECRET, 300);
      } catch {
        return reply(400);
      }
    }
    let event: { id: string; type: string };
    try {
      event = JSON.parse(r.body.toString());
    } catch {
      return reply(malformedStatus);
    }
    if (knownTypes && !knownTypes.includes(event.type)) return reply(400);
    seen.add(event.id);
    return reply(200);
  };
}

let target: Target;
afterEach(async () => {
  await target?.close();
});

async function check(respond: (r: Received) => Reply, ...extra: string[]) {
  target = await new Target().start();
  target.respond = respond;
  const dir = tempDir("hook-check-");
  const result = await runCli(
    [
      "check",
      "--to",
      `${target.url}/webhooks`,
      "--provider",
      "stripe",
      "--secret",
      SECRET,
      "--json",
      ...extra,
    ],
    { cwd: dir },
  );
  const lines = result.stdout
    .trim()
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  const outcome = Object.fromEntries(
    lines.filter((l) => l.kind === "scenario").map((l) => [l.id, l.outcome]),
  );
  return { result, lines, outcome, dir };
}

const failing = (outcome: Record<string, unknown>) =>
  Object.entries(outcome)
    .filter(([, v]) => v === "FAIL")
    .map(([k]) => k);

describe("hook check (stripe)", () => {
  it("passes a correct endpoint: nine PASS, exit 0, a JUnit report with the right counts", async () => {
    const { result, lines, outcome, dir } = await check(stripeEndpoint(), "--report", "check.xml");
    expect(result.code, result.stderr).toBe(0);
    expect(Object.keys(outcome)).toHaveLength(9);
    expect(failing(outcome)).toEqual([]);
    expect(lines.at(-1)).toMatchObject({
      kind: "summary",
      total: 9,
      passed: 9,
      failed: 0,
      skipped: 0,
      budgetMs: 10000,
    });
    const xml = readFileSync(join(dir, "check.xml"), "utf8");
    expect(xml).toContain('tests="9" failures="0" errors="0" skipped="0"');
    // 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 10 requests, all to the given path
    expect(target.received).toHaveLength(18);
    expect(target.received.every((r) => r.url === "/webhooks")).toBe(true);
  });

  it("catches an endpoint that skips verification", async () => {
    const { result, outcome } = await check(stripeEndpoint({ verify: false }));
    expect(result.code).toBe(1);
    expect(failing(outcome)).toEqual(["tampered", "missing-signature", "wrong-secret", "stale-timestamp"]);
  });

  it("catches an endpoint that answers 500 to a body that is not JSON, and says why it matters", async () => {
    target = await new Target().start();
    target.respond = stripeEndpoint({ malformedStatus: 500 });
    const result = await runCli(["check", "--to", target.url, "--provider", "stripe", "--secret", SECRET], {
      cwd: tempDir("hook-check-"),
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/FAIL 7\. unparsable signed body gets 4xx +expected 4xx, got 500/);
    expect(result.stderr).toContain(
      "why: a request the endpoint refuses should get a 4xx: a 5xx tells the provider to retry",
    );
    expect(result.stderr).toContain("8 passed, 1 failed, 0 skipped");
  });

  it("catches an endpoint that is too slow for the budget", async () => {
    const { result, outcome, lines } = await check(stripeEndpoint({ delayMs: 400 }), "--budget", "150ms");
    expect(result.code).toBe(1);
    expect(failing(outcome)).toEqual(["valid", "duplicate", "unknown-event", "concurrent"]);
    const valid = lines.find((l) => l.id === "valid");
    expect(valid?.got).toMatch(/^200 in \d+ms \(over the 150ms budget\)$/);
  });

  it("catches an endpoint that rejects event types it does not know", async () => {
    const { result, outcome } = await check(stripeEndpoint({ knownTypes: ["payment_intent.succeeded"] }));
    expect(result.code).toBe(1);
    expect(failing(outcome)).toEqual(["unknown-event"]);
  });

  it("a dead endpoint fails every scenario with the reason, and a missing secret is exit 2", async () => {
    const port = await Target.freePort();
    const dead = await runCli(
      ["check", "--to", `http://127.0.0.1:${port}`, "--provider", "stripe", "--secret", SECRET],
      {
        cwd: tempDir("hook-check-"),
      },
    );
    expect(dead.code).toBe(1);
    expect(dead.stderr).toContain("connection refused");
    const noSecret = await runCli(["check", "--to", `http://127.0.0.1:${port}`, "--provider", "stripe"], {
      cwd: tempDir("hook-check-"),
    });
    expect(noSecret.code).toBe(2);
  });
});

describe("hook check with --fixture and a provider without samples", () => {
  it("uses the given event, signed with the generic hmac shape", async () => {
    const dir = tempDir("hook-check-");
    const event = '{"id":"ord_1","type":"order.paid","amount":5}';
    writeFileSync(join(dir, "event.json"), event);
    target = await new Target().start();
    target.respond = correctEndpoint("hmac", "generic-secret", () => target.port, {
      signatureHeader: "X-Signature",
    });
    const result = await runCli(
      [
        "check",
        "--to",
        target.url,
        "--provider",
        "hmac",
        "--signature-header",
        "X-Signature",
        "--secret",
        "generic-secret",
        "--fixture",
        "event.json",
      ],
      { cwd: dir },
    );
    expect(result.stderr).toContain("event event.json");
    expect(result.code, result.stderr).toBe(0);
    expect(target.received[0]?.body.toString()).toBe(event);
  });
});

/**
 * A correct endpoint for any provider, verifying with our own provider module (itself cross-checked
 * against the official SDKs in test/providers): proves each provider's checklist knowledge (how to
 * make an unknown event, a malformed body, a tampered one) produces the verdicts it should.
 */
function correctEndpoint(
  name: string,
  secret: string,
  port: () => number,
  options: ProviderOptions = {},
): (r: Received) => Reply {
  const provider = getProvider(name, options);
  return (r) => {
    const verdict = provider.verify({
      body: r.body,
      headers: new Headers(r.headers as Record<string, string>),
      secrets: [secret],
      now: new Date(),
      url: `http://127.0.0.1:${port()}${r.url}`,
    });
    if (!verdict.ok) return { status: 401 };
    const text = r.body.toString();
    try {
      if (name === "liqpay")
        JSON.parse(Buffer.from(new URLSearchParams(text).get("data") ?? "", "base64").toString());
      else if (name === "websub") {
        if (!text.trimEnd().endsWith("</feed>")) throw new Error("bad xml");
      } else if (name !== "twilio") JSON.parse(text);
    } catch {
      return { status: 400 };
    }
    return { status: 200 };
  };
}

describe("hook check across providers (correct endpoints pass; what cannot apply is SKIP)", () => {
  const cases: [string, string, string[]][] = [
    ["github", "gh-secret", []],
    ["shopify", "shpss_secret", []],
    ["slack", "slack-signing-secret", []],
    ["standard", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", []],
    // Svix has no samples of its own: standard's, signed with svix-* headers.
    ["svix", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", []],
    ["twilio", "twilio-auth-token", ["malformed-body", "unknown-event"]],
    ["twitch", "twitch-secret-0123", []],
    ["websub", "hub-secret", ["unknown-event"]],
    ["telegram", "tg_secret-token", ["tampered", "stale-timestamp"]],
    ["liqpay", "sandbox_private_key", []],
    ["paddle", "pdl_ntfset_secret", []],
  ];
  for (const [name, secret, skipped] of cases) {
    it(`${name}: exit 0${skipped.length ? `, skips ${skipped.join(", ")}` : ""}`, async () => {
      target = await new Target().start();
      target.respond = correctEndpoint(name, secret, () => target.port);
      const result = await runCli(
        ["check", "--to", target.url, "--provider", name, "--secret", secret, "--json"],
        {
          cwd: tempDir("hook-check-"),
        },
      );
      expect(result.stdout, result.stderr).not.toBe("");
      const scenarios = result.stdout
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l))
        .filter((l) => l.kind === "scenario");
      expect(
        scenarios.filter((s) => s.outcome === "FAIL"),
        result.stdout,
      ).toEqual([]);
      const provider = getProvider(name);
      const expectSkipped = [...skipped];
      if (!provider.signsTimestamp && !expectSkipped.includes("stale-timestamp"))
        expectSkipped.push("stale-timestamp");
      expect(
        scenarios
          .filter((s) => s.outcome === "SKIP")
          .map((s) => s.id)
          .sort(),
      ).toEqual(expectSkipped.sort());
      expect(result.code).toBe(0);
      if (!skipped.includes("unknown-event")) {
        const types = target.received.map(
          (r) => provider.describe(r.body, new Headers(r.headers as Record<string, string>)).type ?? "",
        );
        expect(
          types.some((t) => t.includes("unknown")),
          types.join(","),
        ).toBe(true);
      }
    });
  }
});
