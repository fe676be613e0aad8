import { createHmac } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import Stripe from "stripe";
import { afterEach, describe, expect, it } from "vitest";
import { builtinSamples } from "../../src/store/builtin-fixtures.js";
import { runCli } from "../helpers/cli.js";
import { type Received, Target } from "../helpers/target.js";
import { header, tempDir, writeStaleFixture } from "./helpers.js";

const SECRET = "whsec_replay_cli_secret";
const event = (id: string, amount = 2000) =>
  `{\n  "id": "${id}",\n  "type": "payment_intent.succeeded",\n  "data": {\n    "object": {\n      "amount": ${amount},\n      "currency": "usd"\n    }\n  }\n}\n`;

function stripeFixture(dir: string, name: string, id: string): string {
  return writeStaleFixture(
    dir,
    name,
    { provider: "stripe", event: "payment_intent.succeeded", id, body: event(id) },
    SECRET,
  );
}

const stripeOk = (r: Received): boolean => {
  try {
    Stripe.webhooks.constructEvent(r.body, header(r, "stripe-signature"), SECRET);
    return true;
  } catch {
    return false;
  }
};

let target: Target;
afterEach(async () => {
  await target?.close();
});

async function start(respond: (r: Received) => number): Promise<Target> {
  target = await new Target().start();
  target.respond = (r) => ({ status: respond(r) });
  return target;
}

describe("hook replay", () => {
  it("--expect failures exit 1 and the JUnit report counts them right", async () => {
    const dir = tempDir();
    for (const id of ["evt_a", "evt_b", "evt_c"]) stripeFixture(dir, `f/${id}.json`, id);
    await start((r) => (r.body.includes("evt_b") ? 500 : 200));
    const result = await runCli(
      ["replay", "f", "--to", target.url, "--secret", SECRET, "--expect", "200,202", "--report", "out/r.xml"],
      { cwd: dir },
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/FAIL 500 .*evt_b/);
    expect(result.stderr).toContain("3 sent: 2 passed, 1 failed");
    const xml = readFileSync(join(dir, "out/r.xml"), "utf8");
    expect(xml).toMatch(/<testsuites name="hook replay" tests="3" failures="1" errors="0" skipped="0"/);
    expect(xml.match(/<testcase /g)).toHaveLength(3);
    expect(xml).toContain('<failure message="expected 200,202, got 500"');
  });

  it("a dead target is a failed request with the reason (an <error> in JUnit), not a crash", async () => {
    const dir = tempDir();
    stripeFixture(dir, "a.json", "evt_a");
    const port = await Target.freePort();
    const result = await runCli(
      ["replay", "a.json", "--to", `http://127.0.0.1:${port}`, "--secret", SECRET, "--report", "r.json"],
      { cwd: dir },
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("connection refused");
    const report = JSON.parse(readFileSync(join(dir, "r.json"), "utf8"));
    expect(report.summary).toMatchObject({ total: 1, passed: 0, failed: 0, errors: 1 });
  });

  it("--repeat 2 sends true duplicates: same event id, a new delivery id each time, both valid", async () => {
    const dir = tempDir();
    const secret = "shpss_replay";
    writeStaleFixture(
      dir,
      "shop.json",
      {
        provider: "shopify",
        event: "orders/create",
        headers: {
          "x-shopify-topic": "orders/create",
          "x-shopify-event-id": "ev-1",
          "content-type": "application/json",
        },
        body: '{"id":820982911946154508,"total_price":"403.00"}',
      },
      secret,
    );
    const shopifyOk = (r: Received) =>
      header(r, "x-shopify-hmac-sha256") === createHmac("sha256", secret).update(r.body).digest("base64");
    await start((r) => (shopifyOk(r) ? 200 : 401));
    const result = await runCli(
      ["replay", "shop.json", "--to", target.url, "--secret", secret, "--repeat", "2"],
      {
        cwd: dir,
      },
    );
    expect(result.code).toBe(0);
    expect(target.received.map((r) => header(r, "x-shopify-event-id"))).toEqual(["ev-1", "ev-1"]);
    const deliveries = target.received.map((r) => header(r, "x-shopify-webhook-id"));
    expect(new Set(deliveries).size).toBe(2);
    expect(deliveries).not.toContain("stale-delivery-id");
    expect(target.received[0]?.body.equals(target.received[1]?.body as Buffer)).toBe(true);
  });

  it("--repeat keeps a delivery id that is the event's identity (GitHub redeliveries keep X-GitHub-Delivery)", async () => {
    const dir = tempDir();
    writeStaleFixture(
      dir,
      "gh.json",
      {
        provider: "github",
        event: "push",
        headers: { "x-github-event": "push" },
        body: '{"ref":"refs/heads/main"}',
      },
      "gh-secret",
    );
    stripeFixture(dir, "stripe.json", "evt_dup");
    await start(() => 200);
    const gh = await runCli(
      ["replay", "gh.json", "--to", target.url, "--secret", "gh-secret", "--repeat", "2"],
      {
        cwd: dir,
      },
    );
    expect(gh.code).toBe(0);
    expect(target.received.map((r) => header(r, "x-github-delivery"))).toEqual([
      "stale-delivery-id",
      "stale-delivery-id",
    ]);

    const stripe = await runCli(
      ["replay", "stripe.json", "--to", target.url, "--secret", SECRET, "--repeat", "2"],
      {
        cwd: dir,
      },
    );
    expect(stripe.code).toBe(0);
    const copies = target.received.slice(2);
    expect(copies.map((r) => JSON.parse(r.body.toString()).id)).toEqual(["evt_dup", "evt_dup"]);
    expect(copies.every(stripeOk)).toBe(true);
  });

  it("--set edits the payload before signing: the SDK verifies the edited body, other bytes kept", async () => {
    const dir = tempDir();
    stripeFixture(dir, "a.json", "evt_set");
    await start((r) => (stripeOk(r) ? 200 : 401));
    const result = await runCli(
      [
        "replay",
        "a.json",
        "--to",
        target.url,
        "--secret",
        SECRET,
        "--set",
        "data.object.amount=500",
        "--set",
        "data.object.currency=eur",
      ],
      { cwd: dir },
    );
    expect(result.code).toBe(0);
    const body = target.received[0]?.body.toString("utf8");
    expect(body).toBe(event("evt_set", 500).replace('"usd"', '"eur"'));
  });

  it("--set on a path that is not there: exit 2, nothing sent", async () => {
    const dir = tempDir();
    stripeFixture(dir, "a.json", "evt_a");
    await start(() => 200);
    const result = await runCli(
      ["replay", "a.json", "--to", target.url, "--secret", SECRET, "--set", "data.nope.x=1"],
      { cwd: dir },
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('a.json: --set data.nope.x=1: data has no key "nope"');
    expect(target.received).toHaveLength(0);
  });

  it("a bare payload: sent unsigned with a warning, or signed with --provider", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, "bare.json"), event("evt_bare"));
    await start((r) => (stripeOk(r) ? 200 : 401));
    const unsigned = await runCli(["replay", "bare.json", "--to", target.url], { cwd: dir });
    expect(unsigned.code).toBe(1);
    expect(unsigned.stderr).toContain("1 bare payload is sent unsigned");
    const signed = await runCli(
      ["replay", "bare.json", "--to", target.url, "--provider", "stripe", "--secret", SECRET],
      { cwd: dir },
    );
    expect(signed.code).toBe(0);
    expect(target.received[1]?.body.toString()).toBe(event("evt_bare"));
    expect(header(target.received[1] as Received, "content-type")).toContain("application/json");
  });

  it("a body that is not UTF-8 (bodyBase64) is sent byte for byte and signed over those bytes", async () => {
    const dir = tempDir();
    const bytes = Buffer.from([0xff, 0xfe, 0x00, 0x41, 0xc3, 0x28, 0x0a]);
    const fixture = {
      hook: 1,
      provider: "hmac",
      request: {
        method: "PUT",
        path: "/bin",
        headers: { "content-type": "application/octet-stream" },
        bodyBase64: bytes.toString("base64"),
      },
    };
    writeFileSync(join(dir, "bin.json"), JSON.stringify(fixture));
    await start((r) => {
      const expected = createHmac("sha256", "bin-secret").update(r.body).digest("hex");
      return header(r, "x-signature") === expected ? 200 : 401;
    });
    const result = await runCli(
      [
        "replay",
        "bin.json",
        "--to",
        target.url,
        "--secret",
        "bin-secret",
        "--signature-header",
        "X-Signature",
      ],
      { cwd: dir },
    );
    expect(result.code, result.stderr).toBe(0);
    expect(target.received[0]?.method).toBe("PUT");
    expect(target.received[0]?.body.equals(bytes)).toBe(true);
  });

  it("a broken fixture among good ones: exit 2 naming file and field, and the target saw nothing", async () => {
    const dir = tempDir();
    stripeFixture(dir, "f/1-good.json", "evt_a");
    writeFileSync(
      join(dir, "f/2-bad.json"),
      JSON.stringify({ hook: 1, provider: "stripe", request: { path: "/", body: 5 } }),
    );
    await start(() => 200);
    const result = await runCli(["replay", "f", "--to", target.url, "--secret", SECRET], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("f/2-bad.json: request.body:");
    expect(result.stderr).toContain("nothing was sent");
    expect(target.received).toHaveLength(0);
  });

  it("usage errors before sending: missing secret, bad --expect, bad --report extension", async () => {
    const dir = tempDir();
    stripeFixture(dir, "a.json", "evt_a");
    await start(() => 200);
    const noSecret = await runCli(["replay", "a.json", "--to", target.url], { cwd: dir });
    expect(noSecret.code).toBe(2);
    expect(noSecret.stderr).toContain("--secret is required for provider stripe");
    const badExpect = await runCli(
      ["replay", "a.json", "--to", target.url, "--secret", SECRET, "--expect", "ok"],
      { cwd: dir },
    );
    expect(badExpect.code).toBe(2);
    const badReport = await runCli(
      ["replay", "a.json", "--to", target.url, "--secret", SECRET, "--report", "r.txt"],
      { cwd: dir },
    );
    expect(badReport.code).toBe(2);
    expect(target.received).toHaveLength(0);
  });
});

describe("built-in fixtures", () => {
  const samples = builtinSamples();
  const SECRET_FOR: Record<string, string> = {
    standard: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
    telegram: "tg_secret-token",
  };

  it("cover every provider the brief lists", () => {
    const providers = new Set(samples.map((s) => s.provider));
    for (const p of [
      "stripe",
      "github",
      "shopify",
      "slack",
      "standard",
      "twilio",
      "twitch",
      "websub",
      "telegram",
      "liqpay",
      "paypal",
      "paddle",
    ]) {
      expect(providers.has(p), p).toBe(true);
    }
  });

  // One `hook replay` per provider folder (each with its own secret): every sample parses, is signed and sent intact.
  for (const provider of [...new Set(samples.map((s) => s.provider))]) {
    it(`${provider}: every sample parses and replays`, async () => {
      const mine = samples.filter((s) => s.provider === provider);
      await start(() => 200);
      const secret = SECRET_FOR[provider] ?? "whsec_builtin_secret";
      const result = await runCli(
        [
          "replay",
          ...mine.map((s) => s.file),
          "--to",
          target.url,
          "--secret",
          secret,
          "--webhook-id",
          "WH-TEST",
        ],
        { cwd: tempDir() },
      );
      expect(result.code, result.stderr).toBe(0);
      expect(target.received).toHaveLength(mine.length);
      // LiqPay's signature is a body field, so only its data field must arrive unchanged.
      const sent = (body: Uint8Array) =>
        provider === "liqpay"
          ? new URLSearchParams(Buffer.from(body).toString()).get("data")
          : Buffer.from(body).toString("latin1");
      for (const sample of mine) {
        const got = target.received.find((r) => sent(r.body) === sent(sample.fixture.body));
        expect(got, `${sample.event}: body sent byte for byte`).toBeDefined();
      }
    });
  }
});
