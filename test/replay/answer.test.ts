import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import express from "express";
import Stripe from "stripe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CliProcess, runCli } from "../helpers/cli.js";
import { Target } from "../helpers/target.js";
import { workDir } from "../listen/helpers.js";
import { FakeStripeApi } from "../poll/helpers/fake-stripe-api.js";

const SECRET = "whsec_express_json_mistake";
const STRIPE_SAYS = /answer: Webhook Error: Webhook payload must be provided as a string or a Buffer/;

/**
 * The classic mistake: express.json() runs before the webhook route, so stripe-node gets a parsed
 * object instead of the raw bytes and says so in its 400. hook shows those words, not only "400".
 */
function expressJsonMistake(): Promise<{ url: string; server: Server }> {
  const app = express();
  app.use(express.json());
  app.post("/webhooks", (req, res) => {
    try {
      Stripe.webhooks.constructEvent(req.body, String(req.headers["stripe-signature"]), SECRET);
      res.send("ok");
    } catch (error) {
      res.status(400).send(`Webhook Error: ${(error as Error).message}`);
    }
  });
  return new Promise((resolve) => {
    const server = app.listen(0, "127.0.0.1", () =>
      resolve({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks`, server }),
    );
  });
}

describe("the app's own words for a non-2xx, everywhere a status is shown", () => {
  let app: { url: string; server: Server };
  let work: ReturnType<typeof workDir>;
  beforeAll(async () => {
    app = await expressJsonMistake();
    work = workDir();
  });
  afterAll(async () => {
    await new Promise((r) => app.server.close(r));
    work.remove();
  });

  it("trigger (and so replay) shows stripe-node's explanation", async () => {
    const result = await runCli(["trigger", "stripe", "invoice.paid", "--to", app.url, "--secret", SECRET], {
      cwd: work.dir,
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/FAIL 400 .*expected 2xx/);
    expect(result.stderr).toMatch(STRIPE_SAYS);
  });

  it("listen shows it next to the forwarded status", async () => {
    const listen = new CliProcess(["listen", "--port", "0", "--no-tunnel", "--forward-to", app.url], {
      cwd: work.dir,
    });
    try {
      const port = (await listen.waitFor(/listening on http:\/\/127\.0\.0\.1:(\d+)/))[1];
      const body = '{"id":"evt_1","type":"charge.refunded"}';
      const signature = Stripe.webhooks.generateTestHeaderString({ payload: body, secret: SECRET });
      await fetch(`http://127.0.0.1:${port}/`, {
        method: "POST",
        body,
        headers: { "content-type": "application/json", "stripe-signature": signature },
      });
      await listen.waitFor(/-> 400/);
    } finally {
      await listen.stop();
    }
    expect(listen.stderr).toMatch(STRIPE_SAYS);
  });

  it("poll shows it on the failed delivery's line", async () => {
    const api = await new FakeStripeApi().start();
    try {
      api.add(1, "charge.refunded");
      const result = await runCli(
        [
          "poll",
          "--provider",
          "stripe",
          "--api-base",
          api.url,
          "-f",
          app.url,
          "--secret",
          SECRET,
          "--once",
          "--since",
          "all",
        ],
        { cwd: work.dir, env: { STRIPE_API_KEY: "sk_test_fake" } },
      );
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/✗ 400 charge.refunded/);
      expect(result.stderr).toMatch(STRIPE_SAYS);
    } finally {
      await api.close();
    }
  });

  it("a 2xx shows no answer", async () => {
    const target = await new Target().start();
    try {
      const result = await runCli(
        ["trigger", "stripe", "invoice.paid", "--to", target.url, "--secret", SECRET],
        {
          cwd: work.dir,
        },
      );
      expect(result.code).toBe(0);
      expect(result.stderr).not.toContain("answer:");
    } finally {
      await target.close();
    }
  });

  it("warns when the answer is slower than the provider waits (Slack: 3 s)", async () => {
    const target = await new Target().start();
    target.respond = () => ({ status: 200, body: "ok", delayMs: 3300 });
    try {
      const result = await runCli(
        ["trigger", "slack", "message", "--to", target.url, "--secret", "slack-signing-secret"],
        {
          cwd: work.dir,
        },
      );
      expect(result.code).toBe(0);
      expect(result.stderr).toMatch(
        /slow: the target took 3\.\ds; slack gives up after 3\.0s and counts a failure/,
      );
    } finally {
      await target.close();
    }
  });
});
