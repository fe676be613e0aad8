import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Webhook } from "standardwebhooks";
import Stripe from "stripe";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Forwarder } from "../../src/deliver/forward.js";
import { Journal } from "../../src/deliver/journal.js";
import { Outbox, type OutboxEvent } from "../../src/deliver/outbox.js";
import { signer } from "../../src/deliver/resign.js";
import { localSend } from "../../src/deliver/sender.js";
import { getProvider } from "../../src/providers/index.js";
import { Target } from "../helpers/target.js";
import { listenSetup, SECRET, waitForLines } from "../listen/helpers.js";

const STANDARD_KEY = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const now = () => Math.floor(Date.now() / 1000);

describe("--durable signs each attempt afresh when it knows the secret", () => {
  const setup = listenSetup();

  /**
   * The app is down for the first attempt; the second comes 3 s later, when the sender's signature
   * (made 298 s before it was sent) is past the SDK's 5-minute window. Only a fresh one passes.
   */
  const appDownThenVerifying = (verify: (body: Buffer, headers: Record<string, string>) => void) => {
    let calls = 0;
    setup.target.respond = (request) => {
      calls += 1;
      if (calls === 1) return { status: 503 };
      try {
        verify(request.body, request.headers as Record<string, string>);
        return { status: 200 };
      } catch (error) {
        return { status: 400, body: String(error) };
      }
    };
  };

  const listen = async (provider: string, secret: string) => {
    const args = ["--durable", "--retry", "3100ms", "--forward-to", setup.target.url, "--provider", provider];
    const l = await setup.listen([...args, "--secret", secret]);
    return l;
  };

  it("stripe: the second attempt carries a new signature the Stripe SDK accepts, same body", async () => {
    appDownThenVerifying((body, headers) =>
      Stripe.webhooks.constructEvent(body, headers["stripe-signature"] as string, SECRET),
    );
    const l = await listen("stripe", SECRET);
    const payload = JSON.stringify({ id: "evt_resign", type: "payment_intent.succeeded" });
    const header = Stripe.webhooks.generateTestHeaderString({
      payload,
      secret: SECRET,
      timestamp: now() - 298,
    });
    const sent = await fetch(l.url, {
      method: "POST",
      body: payload,
      headers: { "stripe-signature": header },
    });
    expect(sent.status).toBe(202);
    const [delivered] = await waitForLines(l.proc, "delivery", 1, 15_000, (d) => d.ok === true);
    expect(delivered).toMatchObject({ attempt: 2, status: 200, eventId: "evt_resign" });
    const [first, second] = setup.target.received;
    expect(first?.headers["stripe-signature"]).not.toBe(header);
    expect(second?.headers["stripe-signature"]).not.toBe(first?.headers["stripe-signature"]);
    expect(second?.body.toString()).toBe(payload);
  });

  it("standard webhooks: re-signed with the same webhook-id, so the app's idempotency sees a redelivery", async () => {
    const hook = new Webhook(STANDARD_KEY);
    appDownThenVerifying((body, headers) => hook.verify(body, headers));
    const l = await listen("standard", STANDARD_KEY);
    const payload = JSON.stringify({ type: "invoice.paid", data: {} });
    const at = new Date((now() - 298) * 1000);
    const headers = {
      "webhook-id": "msg_keep_me",
      "webhook-timestamp": String(at.getTime() / 1000),
      "webhook-signature": hook.sign("msg_keep_me", at, payload),
    };
    expect((await fetch(l.url, { method: "POST", body: payload, headers })).status).toBe(202);
    await waitForLines(l.proc, "delivery", 1, 15_000, (d) => d.ok === true);
    const second = setup.target.received[1];
    expect(second?.headers["webhook-id"]).toBe("msg_keep_me");
    expect(Number(second?.headers["webhook-timestamp"])).toBeGreaterThan(at.getTime() / 1000);
  });
});

describe("--durable without the secret", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "hook-stale-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const run = async (sign: ReturnType<typeof signer>, provider?: string) => {
    const { journal } = await Journal.open(dir);
    const receivedAt = new Date("2026-01-01T00:00:00Z");
    let clock = receivedAt.getTime() + 6 * 60_000;
    const ref = await journal.accept({
      receivedAt: receivedAt.toISOString(),
      method: "POST",
      path: "/",
      headers: [["stripe-signature", "t=1767225600,v1=00"]],
      body: Buffer.from('{"id":"evt_old"}'),
      provider,
    });
    const forwarder = new Forwarder(new URL(`http://127.0.0.1:${await Target.freePort()}`), 2_000, {});
    const events: OutboxEvent[] = [];
    const outbox = new Outbox({
      journal,
      send: localSend(forwarder, sign),
      schedule: [10],
      giveUpAfterMs: 86_400_000,
      deadDir: join(dir, "dead"),
      signer: sign,
      emit: (e) => events.push(e),
      initial: [ref],
      now: () => {
        clock += 1000;
        return new Date(clock);
      },
    });
    await outbox.attemptHead();
    await outbox.attemptHead();
    await journal.close();
    await forwarder.close();
    return events.filter((e) => e.kind === "warning").map((e) => (e.kind === "warning" ? e.message : ""));
  };

  it("warns once when the head outlives the provider's window with its original signature", async () => {
    const warnings = await run(signer(undefined, undefined));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^outbox #1 waited 6m, past stripe's 5m window: .*--provider stripe/);
  });

  it("does not warn when it signs afresh", async () => {
    expect(await run(signer(getProvider("stripe"), SECRET), "stripe")).toEqual([]);
  });
});
