import { describe, expect, it } from "vitest";
import { getProvider } from "../../src/providers/index.js";
import { withEventId } from "../../src/replay/event-id.js";
import { builtinSamples } from "../../src/store/builtin-fixtures.js";
import type { LoadedFixture } from "../../src/store/fixture-reader.js";

function fixture(over: Partial<LoadedFixture>): LoadedFixture {
  return {
    file: "f.json",
    method: "POST",
    path: "/",
    headers: { "content-type": "application/json" },
    body: Buffer.from("{}"),
    bare: false,
    ...over,
  };
}

/** The fresh id trigger gives an event whose id was `like` (Stripe's id lives in the body). */
function freshEventId(like?: string): string {
  const body = like === undefined ? "{}" : JSON.stringify({ id: like });
  return withEventId(fixture({ body: Buffer.from(body) }), "stripe").id as string;
}

const json = (f: LoadedFixture) => JSON.parse(Buffer.from(f.body).toString()) as Record<string, unknown>;
const described = (provider: string, f: LoadedFixture) =>
  getProvider(provider, { webhookId: "WH-TEST" }).describe(f.body, new Headers(f.headers)).id;

describe("a fresh event id", () => {
  it("is shaped like the old one: its letters-only prefix kept, each letter and digit replaced in kind", () => {
    for (let i = 0; i < 20; i++) {
      const id = freshEventId("evt_3NxAbC9z");
      expect(id).toMatch(/^evt_\d[A-Z][a-z][A-Z][a-z][A-Z]\d[a-z]$/);
      expect(freshEventId("WH-0AB-12cd")).toMatch(/^WH-\d[A-Z]{2}-\d{2}[a-z]{2}$/);
      // No letters-only prefix: the first two characters are kept.
      expect(freshEventId("SM0123456789")).toMatch(/^SM\d{10}$/);
      expect(freshEventId("12345678")).toMatch(/^12\d{6}$/);
    }
    expect(freshEventId("evt_3NxAbC9z")).not.toBe(freshEventId("evt_3NxAbC9z"));
  });

  it("is never the old id, however few ways it has to differ; one with nothing to vary gets a random one", () => {
    // Ten possible ids, one of them the old: a thousand draws would meet it for sure.
    for (let i = 0; i < 1_000; i++) expect(freshEventId("ABCDE-1")).not.toBe("ABCDE-1");
    expect(freshEventId("evt_----")).toMatch(/^[0-9a-f]{24}$/);
  });

  it("is a UUID for a UUID, and 24 hex characters without a model or for a short one", () => {
    expect(freshEventId("8F2A4B6C-1D3E-4F5A-9B7C-0D1E2F3A4B5C")).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    expect(freshEventId()).toMatch(/^[0-9a-f]{24}$/);
    expect(freshEventId("")).toMatch(/^[0-9a-f]{24}$/);
    expect(freshEventId("abc12")).toMatch(/^[0-9a-f]{24}$/);
    expect(freshEventId("abc123")).toMatch(/^ab[a-z]{1}\d{3}$/);
    // Not quite a UUID (a "g"): treated as text, each character replaced in kind, its dashes kept.
    expect(freshEventId("g8f2a4b6-1d3e-4f5a-9b7c-0d1e2f3a4b5c")).toMatch(
      /^g8[a-z]\d[a-z]\d[a-z]\d-\d[a-z]\d[a-z]-\d[a-z]\d[a-z]-\d[a-z]\d[a-z]-\d[a-z]\d[a-z]\d[a-z]\d[a-z]\d[a-z]\d[a-z]$/,
    );
  });
});

describe("withEventId", () => {
  it("every provider's sample gets a fresh id where its describe() reads it, shaped like the old one", () => {
    let checked = 0;
    for (const sample of builtinSamples()) {
      const before = described(sample.provider, sample.fixture);
      // A WebSub notification has no event id: describe() shows the video's, which an update keeps.
      if (before === undefined || sample.provider === "websub") continue;
      const fresh = withEventId(sample.fixture, sample.provider);
      const after = described(sample.provider, fresh);
      expect(after, sample.file).toBe(fresh.id);
      expect(after, sample.file).not.toBe(before);
      expect(String(after).length, sample.file).toBe(String(before).length);
      checked++;
    }
    expect(checked).toBeGreaterThan(40);
  });

  it("sets the id given, in the body or the headers, and keeps every other byte", () => {
    const body = '{\n  "id": "evt_old",\n  "type": "charge.succeeded"\n}';
    const stripe = withEventId(fixture({ body: Buffer.from(body) }), "Stripe", "evt_new");
    expect(Buffer.from(stripe.body).toString()).toBe(body.replace("evt_old", "evt_new"));
    expect(stripe.id).toBe("evt_new");
    const github = withEventId(fixture({ headers: { "x-github-delivery": "old" } }), "github", "guid-1");
    expect(github.headers["x-github-delivery"]).toBe("guid-1");
    expect(Buffer.from(github.body).toString()).toBe("{}");
    // The header is set even when the sample did not have it.
    expect(withEventId(fixture({}), "shopify", "e-1").headers["x-shopify-event-id"]).toBe("e-1");
  });

  it("Svix's spelling of the id header is set only where the sample uses it", () => {
    const plain = withEventId(fixture({ headers: { "webhook-id": "msg_old" } }), "standard", "msg_new");
    expect(plain.headers).toEqual({ "webhook-id": "msg_new" });
    const svix = withEventId(fixture({ headers: { "svix-id": "msg_old" } }), "svix", "msg_new");
    expect(svix.headers).toMatchObject({ "webhook-id": "msg_new", "svix-id": "msg_new" });
  });

  it("Telegram's update_id stays a JSON number: the id given when it is digits, else a fresh number of its size", () => {
    const telegram = fixture({ body: Buffer.from('{"update_id":123456789,"message":{}}') });
    expect(json(withEventId(telegram, "telegram", "42"))).toMatchObject({ update_id: 42 });
    expect(json(withEventId(telegram, "telegram", "abc"))).toMatchObject({ update_id: "abc" });
    for (let i = 0; i < 20; i++) {
      const fresh = json(withEventId(telegram, "telegram")).update_id;
      expect(typeof fresh).toBe("number");
      expect(String(fresh)).toMatch(/^[1-9]\d{8}$/);
      const small = json(
        withEventId(fixture({ body: Buffer.from('{"update_id":7}') }), "telegram"),
      ).update_id;
      expect(String(small)).toMatch(/^[1-9]\d{4}$/);
      // A longer id than randomInt can make: the longest it can, not a RangeError.
      const huge = json(
        withEventId(fixture({ body: Buffer.from('{"update_id":123456789012345}') }), "telegram"),
      );
      expect(String(huge.update_id)).toMatch(/^[1-9]\d{13}$/);
    }
  });

  it("the first of the provider's candidate paths that the body has is the one changed", () => {
    const command = fixture({
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: Buffer.from("command=%2Fdeploy&trigger_id=13345224609.738474920.8088930838d88f008e0&text=now"),
    });
    const fresh = withEventId(command, "slack", "trig-1");
    expect(Buffer.from(fresh.body).toString()).toBe("command=%2Fdeploy&trigger_id=trig-1&text=now");
    const events = withEventId(
      fixture({ body: Buffer.from('{"event_id":"Ev1","trigger_id":"t"}') }),
      "slack",
      "Ev2",
    );
    expect(json(events)).toEqual({ event_id: "Ev2", trigger_id: "t" });
    const payload = encodeURIComponent(JSON.stringify({ type: "block_actions", trigger_id: "t_old" }));
    const interactive = withEventId(
      fixture({
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: Buffer.from(`payload=${payload}`),
      }),
      "slack",
      "t_new",
    );
    const inside = new URLSearchParams(Buffer.from(interactive.body).toString()).get("payload") ?? "";
    expect(JSON.parse(inside)).toEqual({ type: "block_actions", trigger_id: "t_new" });
  });

  it("LiqPay's order id inside the base64 data field", () => {
    const data = Buffer.from('{"order_id":"order-1","status":"success"}').toString("base64");
    const liqpay = fixture({
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: Buffer.from(`data=${encodeURIComponent(data)}&signature=x`),
    });
    const fresh = withEventId(liqpay, "liqpay", "order-2");
    const inside = new URLSearchParams(Buffer.from(fresh.body).toString()).get("data") ?? "";
    expect(JSON.parse(Buffer.from(inside, "base64").toString())).toEqual({
      order_id: "order-2",
      status: "success",
    });
  });

  it("a body without the field, or a provider without an event id, is left as it was", () => {
    const noId = fixture({ body: Buffer.from('{"type":"x"}'), id: "from-file" });
    const kept = withEventId(noId, "stripe", "evt_new");
    expect(Buffer.from(kept.body).toString()).toBe('{"type":"x"}');
    expect(kept.id).toBe("evt_new");
    // Fresh, shaped like the id the fixture file names.
    expect(withEventId(noId, "stripe").id).toMatch(/^fr[a-z]{2}-[a-z]{4}$/);
    const websub = fixture({ body: Buffer.from("<feed/>") });
    expect(withEventId(websub, "websub", "x")).toBe(websub);
    // hmac, none: a top-level "id" when there is one; nested ones, arrays and objects are not ids.
    expect(json(withEventId(fixture({ body: Buffer.from('{"id":"a1"}') }), "hmac", "b2"))).toEqual({
      id: "b2",
    });
    const nested = fixture({ body: Buffer.from('{"data":{"id":"x"},"id":{"no":1}}') });
    expect(Buffer.from(withEventId(nested, "none", "n").body).toString()).toBe(
      '{"data":{"id":"x"},"id":{"no":1}}',
    );
    const notJson = fixture({ body: Buffer.from("not json") });
    expect(withEventId(notJson, "none", "n").body).toBe(notJson.body);
  });
});
