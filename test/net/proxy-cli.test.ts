import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Stripe from "stripe";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { ForwardProxy, TEST_CA_FILE, TlsFront } from "../helpers/forward-proxy.js";
import { Target } from "../helpers/target.js";
import { SECRET, startListen, stripeHeader, waitForLines } from "../listen/helpers.js";
import { FakeStripeApi } from "../poll/helpers/fake-stripe-api.js";

const PAYLOAD =
  '{"id":"evt_proxy_1","object":"event","type":"payment_intent.succeeded","data":{"object":{}}}';

/** Every command's outgoing calls through a forward proxy on 127.0.0.1 that records what it carried. */
describe("HTTP_PROXY / HTTPS_PROXY / NO_PROXY", () => {
  let proxy: ForwardProxy;
  let target: Target;
  let cwd: string;

  beforeEach(async () => {
    proxy = await new ForwardProxy().start();
    target = await new Target().start();
    cwd = mkdtempSync(join(tmpdir(), "hook-proxy-"));
    writeFileSync(join(cwd, "evt.json"), PAYLOAD);
  });
  afterEach(async () => {
    await proxy.close();
    await target.close();
  });

  // app.test resolves only inside the proxy: reaching it proves the request went through it.
  const appUrl = () => `http://app.test:${target.port}/hooks`;
  const replay = (env: Record<string, string>) =>
    runCli(["replay", "evt.json", "--provider", "stripe", "--secret", SECRET, "--to", appUrl()], {
      cwd,
      env,
    });

  it("replay goes through HTTP_PROXY, with the proxy's login from its URL, never printed", async () => {
    const proxyUrl = new URL(proxy.url);
    proxyUrl.username = "alice";
    proxyUrl.password = "pr0xy-s3cret";
    proxy.requireAuth = `Basic ${Buffer.from("alice:pr0xy-s3cret").toString("base64")}`;
    const result = await replay({ HTTP_PROXY: proxyUrl.href });
    expect(result.stderr).not.toContain("pr0xy-s3cret");
    expect(result.stdout).not.toContain("pr0xy-s3cret");
    expect(result.code).toBe(0);
    expect(proxy.carried).toEqual([{ method: "POST", target: appUrl(), auth: proxy.requireAuth }]);
    const got = target.received[0];
    expect(got?.body.toString()).toBe(PAYLOAD);
    const signature = String(got?.headers["stripe-signature"]);
    expect(() => Stripe.webhooks.constructEvent(got?.body ?? "", signature, SECRET)).not.toThrow();
  });

  it("a proxy that wants a login says so, with a hint", async () => {
    proxy.requireAuth = "Basic x";
    const result = await replay({ HTTP_PROXY: proxy.url });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`the proxy ${new URL(proxy.url).host} asks for a login (407)`);
    expect(target.received).toHaveLength(0);
  });

  it("NO_PROXY sends straight past the proxy (app.test then does not resolve: said in words)", async () => {
    const result = await replay({ HTTP_PROXY: proxy.url, NO_PROXY: "example.com,app.test" });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("host not found: app.test");
    expect(result.stderr).not.toContain("ENOTFOUND");
    expect(proxy.carried).toEqual([]);
  });

  it("listen forwards through HTTP_PROXY", async () => {
    const listen = await startListen(["--provider", "stripe", "--secret", SECRET, "--forward-to", appUrl()], {
      cwd,
      env: { HTTP_PROXY: proxy.url },
    });
    try {
      const reply = await fetch(`${listen.url}/stripe`, {
        method: "POST",
        headers: { "content-type": "application/json", "stripe-signature": stripeHeader(PAYLOAD) },
        body: PAYLOAD,
      });
      expect(reply.status).toBe(200);
      expect(proxy.carried).toEqual([{ method: "POST", target: `${appUrl()}/stripe`, auth: undefined }]);
      expect(target.received[0]?.body.toString()).toBe(PAYLOAD);
    } finally {
      await listen.proc.stop();
    }
  });

  it("listen --durable delivers through HTTP_PROXY too: its delivery thread reads the same variables", async () => {
    const listen = await startListen(
      ["--provider", "stripe", "--secret", SECRET, "--durable", "--forward-to", appUrl()],
      { cwd, env: { HTTP_PROXY: proxy.url } },
    );
    try {
      const reply = await fetch(`${listen.url}/stripe`, {
        method: "POST",
        headers: { "content-type": "application/json", "stripe-signature": stripeHeader(PAYLOAD) },
        body: PAYLOAD,
      });
      expect(reply.status).toBe(202);
      const [delivery] = await waitForLines(listen.proc, "delivery", 1);
      expect(delivery).toMatchObject({ ok: true, status: 200 });
      expect(proxy.carried).toEqual([{ method: "POST", target: `${appUrl()}/stripe`, auth: undefined }]);
    } finally {
      await listen.proc.stop();
    }
  });

  it("poll reaches an https API through HTTPS_PROXY (CONNECT) and delivers to a loopback app directly", async () => {
    const api = await new FakeStripeApi().start();
    const front = await new TlsFront(Number(new URL(api.url).port)).start();
    try {
      const events = api.add(3);
      const result = await runCli(
        [
          "poll",
          "--provider",
          "stripe",
          "--once",
          "--since",
          "all",
          "--api-base",
          `https://api.test:${front.port}`,
        ].concat(["-f", `${target.url}/hooks`, "--secret", SECRET]),
        {
          cwd,
          env: {
            STRIPE_API_KEY: api.key,
            HTTPS_PROXY: proxy.url,
            HTTP_PROXY: proxy.url,
            NODE_EXTRA_CA_CERTS: TEST_CA_FILE,
          },
        },
      );
      expect(result.stderr).not.toContain("hook:");
      expect(result.code).toBe(0);
      expect(proxy.carried.map((c) => `${c.method} ${c.target}`)).toEqual([`CONNECT api.test:${front.port}`]);
      expect(target.received.map((r) => JSON.parse(r.body.toString()).id)).toEqual(events.map((e) => e.id));
    } finally {
      await front.close();
      await api.close();
    }
  });
});
