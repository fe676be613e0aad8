import { verify as octokitVerify } from "@octokit/webhooks-methods";
import Stripe from "stripe";
import { describe, expect, it } from "vitest";
import { getProvider } from "../../src/providers/index.js";
import { liqpaySignature } from "../../src/providers/liqpay.js";
import type { Provider } from "../../src/providers/types.js";
import { buildRequest } from "../../src/replay/build.js";
import { applyEdits, parseSet } from "../../src/replay/edit.js";
import type { LoadedFixture } from "../../src/store/fixture-reader.js";

const NOW = new Date("2026-11-27T12:00:00Z");
const STRIPE_SECRET = "whsec_build_test";

function fixture(over: Partial<LoadedFixture> = {}): LoadedFixture {
  return {
    file: "f.json",
    provider: "stripe",
    method: "POST",
    path: "/webhooks/stripe",
    headers: { "content-type": "application/json; charset=utf-8" },
    body: Buffer.from('{"id":"evt_1","type":"charge.succeeded"}'),
    bare: false,
    ...over,
  };
}

type BuildInput = Parameters<typeof buildRequest>[0];

function build(over: Partial<BuildInput> = {}) {
  return buildRequest({
    fixture: fixture(),
    provider: getProvider("stripe"),
    secret: STRIPE_SECRET,
    to: new URL("http://127.0.0.1:9/app"),
    extraHeaders: [],
    now: NOW,
    deliveryId: "d-1",
    ...over,
  });
}

const text = (body: Uint8Array) => Buffer.from(body).toString("utf8");

/** Where a fixture saved with `path` is sent, for --to `to`. */
const targetUrl = (to: URL, path: string) => build({ to, fixture: fixture({ path }), secret: undefined }).url;

describe("the URL a replayed request goes to", () => {
  it("appends the fixture's path to --to's (one slash), and '/' or '' means exactly --to", () => {
    expect(targetUrl(new URL("http://h/app/"), "/stripe")).toBe("http://h/app/stripe");
    expect(targetUrl(new URL("http://h/app//"), "/stripe")).toBe("http://h/app/stripe");
    expect(targetUrl(new URL("http://h/webhooks"), "/")).toBe("http://h/webhooks");
    expect(targetUrl(new URL("http://h/webhooks"), "")).toBe("http://h/webhooks");
    expect(targetUrl(new URL("http://h/webhooks"), "/?a=1")).toBe("http://h/webhooks?a=1");
  });

  it("puts --to's query first, then the fixture's, and drops the parameters a saved fixture masked", () => {
    expect(targetUrl(new URL("http://h/a?k=1"), "/b?x=2")).toBe("http://h/a/b?k=1&x=2");
    expect(targetUrl(new URL("http://h/a"), "/b?x=2&token=***&y=3")).toBe("http://h/a/b?x=2&y=3");
    expect(targetUrl(new URL("http://h/a?token=real"), "/b?token=***")).toBe("http://h/a/b?token=real");
    // A value that merely contains the mask is a real value, kept.
    expect(targetUrl(new URL("http://h/a"), "/b?q=a***b&r=***x")).toBe("http://h/a/b?q=a***b&r=***x");
  });

  it("gives the same answer for many paths and many targets (no stale entry after the first hundred)", () => {
    for (let i = 0; i < 120; i++) {
      expect(targetUrl(new URL(`http://h${i}/a`), `/p${i}`)).toBe(`http://h${i}/a/p${i}`);
    }
    for (let i = 0; i < 1_010; i++)
      expect(targetUrl(new URL("http://same/a"), `/p${i}`)).toBe(`http://same/a/p${i}`);
    expect(targetUrl(new URL("http://h0/a"), "/p0")).toBe("http://h0/a/p0");
  });
});

describe("the headers of a replayed request", () => {
  it("drops the old hop's transport headers, whatever their case, and keeps the app's own", () => {
    const transport = {
      Host: "old.example.com",
      "Content-Length": "999",
      Connection: "keep-alive",
      "Keep-Alive": "timeout=5",
      "Transfer-Encoding": "chunked",
      TE: "trailers",
      Trailer: "x-checksum",
      Upgrade: "h2c",
      Expect: "100-continue",
      "Proxy-Connection": "keep-alive",
      "Accept-Encoding": "gzip",
    };
    const req = build({
      fixture: fixture({
        headers: { ...transport, "Content-Type": "application/json", "X-Request-Id": "r1" },
      }),
    });
    for (const name of Object.keys(transport)) expect(req.headers).not.toHaveProperty(name.toLowerCase());
    expect(req.headers["x-request-id"]).toBe("r1");
    expect(req.headers["content-type"]).toBe("application/json");
    expect(Object.keys(req.headers).every((name) => name === name.toLowerCase())).toBe(true);
  });

  it("replaces the old signature with a fresh one that Stripe's SDK accepts", async () => {
    const body = '{"id":"evt_1","type":"charge.succeeded"}';
    const req = build({
      fixture: fixture({
        headers: { "Stripe-Signature": "t=1,v1=stale", "content-type": "application/json" },
      }),
    });
    expect(req.headers["stripe-signature"]).not.toContain("stale");
    expect(req.headers["stripe-signature"]).toMatch(new RegExp(`^t=${NOW.getTime() / 1000},v1=`));
    const event = Stripe.webhooks.constructEvent(
      text(req.body),
      req.headers["stripe-signature"] as string,
      STRIPE_SECRET,
      Number.MAX_SAFE_INTEGER,
    );
    expect(event.id).toBe("evt_1");
    expect(text(req.body)).toBe(body);
    expect(req.method).toBe("POST");
    expect(req.url).toBe("http://127.0.0.1:9/app/webhooks/stripe");
  });

  it("drops the signature headers of another provider named in alsoDrop (--provider overriding the fixture's)", () => {
    const req = build({
      fixture: fixture({ headers: { "Stripe-Signature": "t=1,v1=stale", "X-Keep": "1" } }),
      provider: getProvider("github"),
      alsoDrop: ["Stripe-Signature"],
      secret: "gh",
    });
    expect(req.headers).not.toHaveProperty("stripe-signature");
    expect(req.headers["x-keep"]).toBe("1");
    expect(req.headers["x-hub-signature-256"]).toMatch(/^sha256=[0-9a-f]{64}$/);
  });

  it("without a secret, the old signature is dropped and none is made (the command asks for one)", () => {
    const req = build({
      fixture: fixture({ headers: { "stripe-signature": "t=1,v1=stale" } }),
      secret: undefined,
    });
    expect(req.headers).not.toHaveProperty("stripe-signature");
  });

  it("never sends a value that was redacted when the fixture was saved", () => {
    const req = build({
      fixture: fixture({
        headers: { authorization: "[redacted]", cookie: "[redacted]", "x-ok": "[redacted] no" },
      }),
    });
    expect(req.headers).not.toHaveProperty("authorization");
    expect(req.headers).not.toHaveProperty("cookie");
    expect(req.headers["x-ok"]).toBe("[redacted] no");
  });

  it("fills in a content type: the provider's for a fixture, JSON for a bare payload, none for no body", () => {
    const twilio = getProvider("twilio");
    const own = build({ fixture: fixture({ headers: {} }), provider: twilio, secret: undefined });
    expect(own.headers["content-type"]).toBe("application/x-www-form-urlencoded");
    const bareForm = build({
      fixture: fixture({ headers: {}, bare: true }),
      provider: twilio,
      secret: undefined,
    });
    expect(bareForm.headers["content-type"]).toBe("application/json");
    const bareStripe = build({ fixture: fixture({ headers: {}, bare: true }) });
    expect(bareStripe.headers["content-type"]).toBe("application/json; charset=utf-8");
    const empty = build({ fixture: fixture({ headers: {}, body: new Uint8Array(0), method: "GET" }) });
    expect(empty.headers).not.toHaveProperty("content-type");
    expect(empty.method).toBe("GET");
  });

  it("a bare payload gets the headers the provider always sends, so octokit accepts it; a fixture keeps its own", async () => {
    const github = getProvider("github");
    const body = Buffer.from('{"zen":"Keep it logically awesome.","hook_id":1}');
    const bare = build({
      fixture: fixture({ headers: {}, body, bare: true }),
      provider: github,
      secret: "s",
    });
    expect(bare.headers["x-github-event"]).toBe("ping");
    expect(bare.headers["x-github-delivery"]).toBe("d-1");
    expect(await octokitVerify("s", text(bare.body), bare.headers["x-hub-signature-256"] as string)).toBe(
      true,
    );
    const own = build({
      fixture: fixture({ headers: { "X-GitHub-Event": "push" }, body, bare: true }),
      provider: github,
      secret: "s",
    });
    expect(own.headers["x-github-event"]).toBe("push");
    const notBare = build({ fixture: fixture({ headers: {}, body }), provider: github, secret: "s" });
    expect(notBare.headers).not.toHaveProperty("x-github-event");
  });

  it("turns user:pass@ in --to into Basic auth, decoded, unless the request already has authorization", () => {
    const to = new URL("http://us%20er:p%40ss@127.0.0.1:9/app");
    const req = build({ to });
    expect(
      Buffer.from((req.headers.authorization as string).replace(/^Basic /, ""), "base64").toString(),
    ).toBe("us er:p@ss");
    const onlyPass = build({ to: new URL("http://:pw@127.0.0.1:9/") });
    expect(onlyPass.headers.authorization).toBe(`Basic ${Buffer.from(":pw").toString("base64")}`);
    const own = build({ to, fixture: fixture({ headers: { authorization: "Bearer t" } }) });
    expect(own.headers.authorization).toBe("Bearer t");
    expect(build().headers).not.toHaveProperty("authorization");
  });

  it("--header values come last: they override the fixture, the signature and the Basic auth", () => {
    const req = build({
      to: new URL("http://u:p@127.0.0.1:9/"),
      fixture: fixture({ headers: { "x-env": "old" } }),
      extraHeaders: new Headers({ "X-Env": "new", "Stripe-Signature": "forced", Authorization: "Bearer x" }),
    });
    expect(req.headers).toMatchObject({
      "x-env": "new",
      "stripe-signature": "forced",
      authorization: "Bearer x",
    });
  });
});

describe("the body of a replayed request", () => {
  it("signs the body as edited by --set, so the signature covers the edited bytes", () => {
    const edited = applyEdits(Buffer.from('{"id":"evt_1","data":{"amount":1}}'), "application/json", [
      parseSet("data.amount=500"),
    ]);
    const req = build({ fixture: fixture({ body: edited }) });
    expect(text(req.body)).toBe('{"id":"evt_1","data":{"amount":500}}');
    const event = Stripe.webhooks.constructEvent(
      text(req.body),
      req.headers["stripe-signature"] as string,
      STRIPE_SECRET,
      Number.MAX_SAFE_INTEGER,
    );
    expect(event.data).toEqual({ amount: 500 });
  });

  it("a scheme that signs inside the body (LiqPay) sends the body it signed", () => {
    const data = Buffer.from('{"order_id":"o1","status":"success"}').toString("base64");
    const req = build({
      provider: getProvider("liqpay"),
      secret: "private",
      fixture: fixture({
        provider: "liqpay",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: Buffer.from(`data=${encodeURIComponent(data)}&signature=stale`),
      }),
    });
    const form = new URLSearchParams(text(req.body));
    expect(form.get("data")).toBe(data);
    expect(form.get("signature")).toBe(liqpaySignature("private", data));
  });

  it("a provider that needs no secret signs without one; the none provider sends the body as it is", () => {
    const calls: string[] = [];
    const certOnly: Provider = {
      ...getProvider("none"),
      name: "cert-only",
      usesSecret: false,
      sign: ({ secret, deliveryId, url }) => {
        calls.push(`${secret}|${deliveryId}|${url}`);
        return { "X-Cert-Sig": "sig" };
      },
    };
    const req = build({ provider: certOnly, secret: undefined });
    expect(req.headers["x-cert-sig"]).toBe("sig");
    expect(calls).toEqual(["|d-1|http://127.0.0.1:9/app/webhooks/stripe"]);
    const none = build({ provider: getProvider("none"), secret: undefined });
    expect(text(none.body)).toBe('{"id":"evt_1","type":"charge.succeeded"}');
  });
});
