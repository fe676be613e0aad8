import { verify as octokitVerify } from "@octokit/webhooks-methods";
import { Webhook } from "standardwebhooks";
import Stripe from "stripe";
import { describe, expect, it } from "vitest";
import type { OutgoingRequest } from "../../src/deliver/forward.js";
import type { OutboxEntry } from "../../src/deliver/journal-lines.js";
import { forwardResigner, signer } from "../../src/deliver/resign.js";
import { getProvider } from "../../src/providers/index.js";

const PROVIDER_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const APP_SECRET = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD";
const BODY = '{"id":"evt_1","type":"invoice.paid","zen":"ok"}';
const at = new Date();

/** A request as the provider sent it: signed with the provider's secret, plus headers of its own. */
function received(provider: string, deliveryId: string): OutgoingRequest {
  const signed = getProvider(provider).sign({
    body: Buffer.from(BODY),
    secret: PROVIDER_SECRET,
    timestamp: at,
    deliveryId,
  });
  const headers: [string, string][] = [
    ["Content-Type", "application/json"],
    ["X-Custom", "kept"],
    ...Object.entries(signed),
  ];
  return { method: "POST", path: "/hooks?x=1", headers, body: Buffer.from(BODY) };
}

const header = (request: OutgoingRequest, name: string) =>
  request.headers.filter(([n]) => n.toLowerCase() === name).map(([, v]) => v);

describe("forwardResigner (--forward-secret on live forwarding)", () => {
  it("stripe: one signature, the app's; the body, path and other headers as they came", () => {
    const out = forwardResigner(getProvider("stripe"), APP_SECRET, () => at)(received("stripe", "d1"), "d1");
    const [signature] = header(out, "stripe-signature");
    expect(header(out, "stripe-signature")).toHaveLength(1);
    expect(() =>
      Stripe.webhooks.constructEvent(Buffer.from(out.body), signature ?? "", APP_SECRET),
    ).not.toThrow();
    expect(() =>
      Stripe.webhooks.constructEvent(Buffer.from(out.body), signature ?? "", PROVIDER_SECRET),
    ).toThrow();
    expect(Buffer.from(out.body).toString()).toBe(BODY);
    expect(out.path).toBe("/hooks?x=1");
    expect(out.method).toBe("POST");
    expect(header(out, "x-custom")).toEqual(["kept"]);
    expect(header(out, "content-type")).toEqual(["application/json"]);
  });

  it("signs at the clock's moment, not the provider's", () => {
    const later = new Date(at.getTime() + 3_600_000);
    const out = forwardResigner(
      getProvider("stripe"),
      APP_SECRET,
      () => later,
    )(received("stripe", "d1"), "d1");
    expect(header(out, "stripe-signature")[0]).toContain(`t=${Math.floor(later.getTime() / 1000)},`);
  });

  it("github: the app's secret verifies it, and the delivery id the provider gave is kept", async () => {
    const out = forwardResigner(
      getProvider("github"),
      APP_SECRET,
      () => at,
    )(received("github", "dlv-77"), "dlv-77");
    const [signature] = header(out, "x-hub-signature-256");
    expect(await octokitVerify(APP_SECRET, BODY, signature ?? "")).toBe(true);
    expect(header(out, "x-github-delivery")).toEqual(["dlv-77"]);
  });

  it("standard webhooks: webhook-id, the signed message id, is kept and verifies", () => {
    const out = forwardResigner(
      getProvider("standard"),
      APP_SECRET,
      () => at,
    )(received("standard", "msg_9"), "msg_9");
    const headers = Object.fromEntries(out.headers.map(([n, v]) => [n.toLowerCase(), v]));
    expect(headers["webhook-id"]).toBe("msg_9");
    expect(() => new Webhook(APP_SECRET).verify(BODY, headers)).not.toThrow();
  });

  it("a request with no delivery id of its own gets a fresh one for each send", () => {
    const resign = forwardResigner(getProvider("github"), APP_SECRET, () => at);
    const [first] = header(resign(received("github", ""), undefined), "x-github-delivery");
    const [second] = header(resign(received("github", ""), undefined), "x-github-delivery");
    expect(first).toMatch(/^[0-9a-f-]{36}$/);
    expect(second).not.toBe(first);
  });
});

describe("signer(always): the outbox with --forward-secret", () => {
  const entry = (provider: string): OutboxEntry => ({
    ...received(provider, "dlv-5"),
    seq: 5,
    receivedAt: at.toISOString(),
    provider,
    deliveryId: "dlv-5",
  });

  it("re-signs a provider without a timestamp too (GitHub), which it otherwise sends as it came", async () => {
    const github = getProvider("github");
    const asCame = signer(github, APP_SECRET).request(entry("github"), at);
    const kept = header(asCame, "x-hub-signature-256")[0] ?? "";
    expect(await octokitVerify(PROVIDER_SECRET, BODY, kept)).toBe(true);
    const resigned = signer(github, APP_SECRET, true).request(entry("github"), at);
    expect(await octokitVerify(APP_SECRET, BODY, header(resigned, "x-hub-signature-256")[0] ?? "")).toBe(
      true,
    );
    expect(header(resigned, "x-github-delivery")).toEqual(["dlv-5"]);
    expect(signer(github, APP_SECRET, true).staleAfter(entry("github"))).toBeUndefined();
  });

  it("leaves an entry another provider verified alone", () => {
    const other = entry("stripe");
    expect(signer(getProvider("github"), APP_SECRET, true).request(other, at)).toBe(other);
  });
});
