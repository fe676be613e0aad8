import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Forwarder } from "../../src/deliver/forward.js";
import { EventBus, type ListenEvent } from "../../src/events/types.js";
import { endToEndHeaders } from "../../src/net/headers.js";
import { getProvider } from "../../src/providers/index.js";
import type { Provider } from "../../src/providers/types.js";
import { SeenIds } from "../../src/receive/dedupe.js";
import { eventFilter } from "../../src/receive/filter.js";
import { VerifyKeys } from "../../src/receive/keys.js";
import { Pipeline } from "../../src/receive/pipeline.js";
import { publicUrl } from "../../src/receive/public-url.js";
import { Target } from "../helpers/target.js";

describe("--events patterns", () => {
  it("matches with * wildcards, comma separated, and never an event without a type", () => {
    const match = eventFilter("payment_intent.*, charge.refunded,*.created") as (t?: string) => boolean;
    expect(match("payment_intent.succeeded")).toBe(true);
    expect(match("charge.refunded")).toBe(true);
    expect(match("charge.refunded.extra")).toBe(false);
    expect(match("customer.subscription.created")).toBe(true);
    expect(match("payment_intentXsucceeded")).toBe(false);
    expect(match(undefined)).toBe(false);
    expect(() => eventFilter(" , ")).toThrow(/no patterns/);
  });
});

describe("forwarding details", () => {
  it("drops hop-by-hop headers, those named by Connection, and keeps the rest in order and case", () => {
    const kept = endToEndHeaders([
      ["Host", "x"],
      ["Connection", "keep-alive, X-Hop"],
      ["X-Hop", "1"],
      ["Keep-Alive", "timeout=5"],
      ["Transfer-Encoding", "chunked"],
      ["Proxy-Connection", "x"],
      ["TE", "trailers"],
      ["Upgrade", "h2c"],
      ["Stripe-Signature", "t=1,v1=a"],
      ["X-B", "2"],
    ]);
    expect(kept).toEqual([
      ["Stripe-Signature", "t=1,v1=a"],
      ["X-B", "2"],
    ]);
  });

  it("the public URL: forwarded headers, a public Host via cloudflared, the tunnel URL, or plain http", () => {
    const h = (o: Record<string, string>) => new Headers(o);
    expect(
      publicUrl("/a?b", h({ host: "x.trycloudflare.com", "cf-connecting-ip": "1.2.3.4" }), undefined),
    ).toBe("https://x.trycloudflare.com/a?b");
    expect(
      publicUrl(
        "/a",
        h({ host: "127.0.0.1:4665", "cf-connecting-ip": "1.2.3.4" }),
        "https://t.trycloudflare.com",
      ),
    ).toBe("https://t.trycloudflare.com/a");
    expect(
      publicUrl(
        "/a",
        h({ host: "localhost:1", "x-forwarded-host": "e.com", "x-forwarded-proto": "https" }),
        undefined,
      ),
    ).toBe("https://e.com/a");
    expect(publicUrl("/a", h({ host: "localhost:4665" }), "https://t.trycloudflare.com")).toBe(
      "http://localhost:4665/a",
    );
  });
});

describe("the pipeline's typed events", () => {
  let target: Target;
  let dir: string;
  beforeEach(async () => {
    target = await new Target().start();
    dir = mkdtempSync(join(tmpdir(), "hook-pipeline-"));
  });
  afterEach(async () => {
    await target.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("warns when the target takes longer than the provider waits, and the request record carries the body", async () => {
    target.respond = () => ({ status: 200, delayMs: 120 });
    const impatient: Provider = { ...getProvider("none"), name: "impatient", timeoutMs: 50 };
    const events: ListenEvent[] = [];
    const bus = new EventBus();
    bus.on((e) => events.push(e));
    const forwarder = new Forwarder(new URL(target.url), 5_000, {});
    const pipeline = new Pipeline({
      provider: impatient,
      describer: impatient,
      keys: new VerifyKeys(impatient, []),
      forwarder,
      seen: new SeenIds(dir),
      maxBody: 1024,
      now: () => new Date(),
      tunnelUrl: () => undefined,
      bus,
    });
    const body = Buffer.from('{"id":"evt_9","type":"slow.one"}');
    const reply = await pipeline.handle({
      method: "POST",
      path: "/",
      headers: [],
      body,
      receivedAt: new Date(),
    });
    await forwarder.close();
    expect(reply.status).toBe(200);
    const warning = events.find((e) => e.kind === "warning");
    expect(warning && "message" in warning && warning.message).toMatch(/impatient gives up after 50ms/);
    const request = events.find((e) => e.kind === "request");
    expect(request?.kind === "request" && Buffer.from(request.record.body).equals(body)).toBe(true);
    expect(request?.kind === "request" && request.record).toMatchObject({
      event: "slow.one",
      eventId: "evt_9",
    });
  });
});
