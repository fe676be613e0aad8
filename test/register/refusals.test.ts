import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { type Listening, startListen, workDir } from "../listen/helpers.js";
import { CASES } from "./helpers/cases.js";
import type { FakeApi } from "./helpers/fake-api.js";
import { FakeGithub, FakePaddle, FakeStripe, FakeTelegram } from "./helpers/fake-providers.js";
import { listenRegistering, recorded, registerLines } from "./helpers/run.js";

const byName = (name: string) => CASES.find((c) => c.name === name) as (typeof CASES)[number];

describe("hook listen --register: refusals and API errors", () => {
  let work: ReturnType<typeof workDir>;
  let fake: FakeApi | undefined;
  let listen: Listening | undefined;

  beforeEach(() => {
    work = workDir();
  });
  afterEach(async () => {
    await listen?.proc.stop("SIGKILL");
    listen = undefined;
    await fake?.close();
    fake = undefined;
    work.remove();
  });

  const cli = (args: string[], env: Record<string, string> = {}) =>
    runCli(["listen", "--port", "0", ...args], { cwd: work.dir, env });

  it("a Stripe live key is a usage error naming --live, before any API call", async () => {
    const stripe = await new FakeStripe().start();
    fake = stripe;
    const key = "sk_live_51NotARealKeyButLooksLikeOne";
    const result = await cli(
      [
        "--provider",
        "stripe",
        "--register",
        "--no-tunnel",
        "--public-url",
        "https://x.example.com",
        "--api-base",
        stripe.url,
      ],
      { STRIPE_API_KEY: key },
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/live Stripe key/);
    expect(result.stderr).toMatch(/--live/);
    expect(result.stderr + result.stdout).not.toContain(key);
    expect(stripe.calls).toEqual([]);
  });

  it("a register flag without --register is a usage error, not silently ignored", async () => {
    const result = await cli(["--no-tunnel", "--keep"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--keep applies only with --register/);
  });

  it("--no-tunnel without --public-url is a usage error", async () => {
    const result = await cli(["--provider", "stripe", "--register", "--no-tunnel"], {
      STRIPE_API_KEY: "sk_test_x",
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--register with --no-tunnel needs --public-url URL/);
  });

  it.each([
    [
      ["--provider", "slack"],
      /--register does not work with slack: only by rewriting the whole app manifest/,
    ],
    [["--provider", "twitch"], /--register with twitch needs TWITCH_CLIENT_ID and TWITCH_CLIENT_SECRET/],
    [["--provider", "twitch", "--api-key", "id:secret"], /--register with twitch needs --type/],
    [["--provider", "github", "--api-key", "ghp_x"], /needs --repo OWNER\/NAME or --org ORG/],
    [["--provider", "stripe"], /--register with stripe needs an API key[\s\S]*STRIPE_API_KEY/],
    [["--provider", "websub"], /--register with websub needs --topic URL/],
    [[], /--register needs --provider/],
    [
      ["--provider", "telegram", "--api-key", "1:abc", "--public-url", "https://x.example.com:3000"],
      /Telegram sends webhooks only to https on ports 443, 80, 88 or 8443, not https:\/\/x\.example\.com:3000/,
    ],
  ])("%j is a usage error", async (args, message) => {
    const result = await cli(["--register", "--no-tunnel", "--public-url", "https://x.example.com", ...args]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
  });

  it("no tunnel (no cloudflared): says it did not register, and keeps listening", async () => {
    const stripe = await new FakeStripe().start();
    fake = stripe;
    listen = await startListen(
      [
        "--provider",
        "stripe",
        "--register",
        "--cloudflared",
        "/nonexistent/cloudflared",
        "--api-base",
        stripe.url,
      ],
      {
        cwd: work.dir,
        tunnel: true,
        env: { STRIPE_API_KEY: stripe.key },
      },
    );
    const [failed] = await registerLines(listen.proc, "failed");
    expect(failed?.reason).toBe("not registered: the tunnel did not come up");
    expect(failed?.hint).toMatch(/--public-url/);
    expect((await fetch(listen.url, { method: "POST", body: "{}" })).status).toBe(401);
    expect(stripe.calls).toEqual([]);
    // No secret yet, and none made up: no warning about one.
    expect(listen.proc.stderr).not.toMatch(/--secret/);
    expect((await listen.proc.stop("SIGINT")).code).toBe(130);
  });

  it("--no-tunnel --public-url registers that URL at once (with --path), and removes it on Ctrl-C", async () => {
    const stripe = await new FakeStripe().start();
    fake = stripe;
    listen = await startListen(
      [
        "--provider",
        "stripe",
        "--register",
        "--public-url",
        "https://hooks.example.com/base",
        "--path",
        "stripe",
        "--api-base",
        stripe.url,
      ],
      {
        cwd: work.dir,
        env: { STRIPE_API_KEY: stripe.key },
      },
    );
    const [registered] = await registerLines(listen.proc, "registered");
    expect(registered?.url).toBe("https://hooks.example.com/base/stripe");
    expect((await listen.proc.stop("SIGINT")).code).toBe(130);
    expect(stripe.live.size).toBe(0);
  });

  it("telegram: another webhook on the bot is refused (exit 2, hint --replace) and left as it was", async () => {
    const tg = await new FakeTelegram().start();
    fake = tg;
    tg.webhook = { url: "https://prod.example.com/telegram", secret: "prod-secret" };
    const c = byName("telegram");
    const result = await cli(
      ["--no-tunnel", "--public-url", "https://x.example.com", "--register", "--api-base", tg.url, ...c.args],
      c.env(tg),
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/this bot already has a webhook: https:\/\/prod\.example\.com\/telegram/);
    expect(result.stderr).toMatch(/hint: pass --replace/);
    expect(tg.webhook).toEqual({ url: "https://prod.example.com/telegram", secret: "prod-secret" });
    expect(result.stderr + result.stdout).not.toContain(tg.key);
  });

  it("telegram --replace: takes the webhook for the run and restores the previous URL on exit (without its secret)", async () => {
    const tg = await new FakeTelegram().start();
    fake = tg;
    tg.webhook = { url: "https://prod.example.com/telegram", secret: "prod-secret" };
    listen = await listenRegistering(byName("telegram"), tg, work.dir, { args: ["--replace"] });
    const [registered] = await registerLines(listen.proc, "registered");
    expect(tg.webhook.url).toBe(registered?.url);
    expect((await listen.proc.stop("SIGINT")).code).toBe(130);
    const [restored] = listen.proc.jsonLines().filter((l) => l.kind === "register" && l.state === "restored");
    expect(restored?.note).toMatch(
      /https:\/\/prod\.example\.com\/telegram set back \(without its old secret_token/,
    );
    expect(tg.webhook).toEqual({ url: "https://prod.example.com/telegram", secret: undefined });
    expect(recorded(work.dir)).toEqual([]);
  });

  describe.each(CASES.filter((c) => c.keyVariable !== ""))("$name: a refused key", (c) => {
    it("is reported with the key's variable, and hook keeps listening", async () => {
      fake = await c.fake().start();
      const good = c.env(fake);
      const bad = Object.fromEntries(
        Object.entries(good).map(([k, v]) => [
          k,
          k.endsWith("_SECRET") || Object.keys(good).length === 1
            ? `${v.split(":")[0]}${v.includes(":") ? ":" : ""}wrong0000`
            : v,
        ]),
      );
      listen = await listenRegistering(c, fake, work.dir, { env: bad });
      const [failed] = await registerLines(listen.proc, "failed");
      expect(failed?.reason).toMatch(/not accepted/);
      expect(failed?.hint).toContain(c.keyVariable);
      expect(failed?.hint).toMatch(/still listening: to register by hand/);
      expect((await fetch(listen.url, { method: "POST", body: "{}" })).status).toBeGreaterThan(0);
      for (const value of Object.values(bad))
        expect(listen.proc.stdout + listen.proc.stderr).not.toContain(value);
      expect((await listen.proc.stop("SIGINT")).code).toBe(130);
      expect(recorded(work.dir)).toEqual([]);
    });
  });

  it.each([
    [
      "stripe",
      () => new FakeStripe(),
      {
        status: 403,
        body: {
          error: {
            message:
              "The provided key 'rk_test_***' does not have the required permissions for this endpoint.",
          },
        },
      },
      /rak_webhook_write/,
    ],
    [
      "paddle",
      () => new FakePaddle(),
      {
        status: 403,
        body: {
          error: {
            type: "request_error",
            code: "forbidden",
            detail: "You aren't permitted to perform this request.",
          },
        },
      },
      /notification_setting\.write/,
    ],
    [
      "github",
      () => new FakeGithub(),
      { status: 403, body: { message: "Resource not accessible by personal access token" } },
      /admin:repo_hook/,
    ],
  ])("%s: a 403 names the missing permission", async (name, make, reply, scope) => {
    fake = await make().start();
    fake.failures.push(reply, reply);
    listen = await listenRegistering(byName(name), fake, work.dir);
    const [failed] = await registerLines(listen.proc, "failed");
    expect(failed?.reason).toMatch(/\(403\): the key may not manage webhooks/);
    expect(failed?.hint).toMatch(scope);
  });

  it("github: a 422 says what GitHub objected to", async () => {
    fake = await new FakeGithub().start();
    fake.failures.push({
      status: 422,
      body: {
        message: "Validation Failed",
        errors: [{ resource: "Hook", code: "custom", message: "Hook already exists on this repository" }],
      },
    });
    listen = await listenRegistering(byName("github"), fake, work.dir);
    const [failed] = await registerLines(listen.proc, "failed");
    expect(failed?.reason).toBe(
      "GitHub API refused to create the webhook (422): Validation Failed; Hook already exists on this repository",
    );
    expect(failed?.hint).toMatch(/fix what the API objected to/);
  });
});
