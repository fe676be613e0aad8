import { describe, expect, it } from "vitest";
import { HookError } from "../../src/errors.js";
import { eventFilter } from "../../src/receive/filter.js";
import { publicUrl } from "../../src/receive/public-url.js";

const h = (o: Record<string, string>) => new Headers(o);
const TUNNEL = "https://t.trycloudflare.com/ignored/path";

describe("the public URL Twilio signed", () => {
  it("takes the first of a proxy chain's X-Forwarded-Host and -Proto, trimmed", () => {
    const headers = h({
      host: "127.0.0.1:4665",
      "x-forwarded-host": " app.example.com , proxy.internal",
      "x-forwarded-proto": " https ,http",
      "cf-connecting-ip": "1.2.3.4",
    });
    expect(publicUrl("/sms?a=1", headers, TUNNEL)).toBe("https://app.example.com/sms?a=1");
  });

  it("an empty forwarded header counts as absent", () => {
    expect(
      publicUrl("/a", h({ host: "e.com", "x-forwarded-host": " , ", "x-forwarded-proto": "" }), undefined),
    ).toBe("http://e.com/a");
  });

  it("a forwarded host without a proto: https through cloudflared, http otherwise", () => {
    expect(publicUrl("/a", h({ "x-forwarded-host": "e.com", "cf-connecting-ip": "1" }), TUNNEL)).toBe(
      "https://e.com/a",
    );
    expect(publicUrl("/a", h({ "x-forwarded-host": "e.com" }), TUNNEL)).toBe("http://e.com/a");
  });

  it("through the tunnel with a local Host, the tunnel's origin: for every spelling of a local host", () => {
    for (const host of [
      "localhost",
      "localhost:4665",
      "127.0.0.1",
      "127.5.6.7:80",
      "[::1]:4665",
      "[::1]",
      "0.0.0.0:1",
    ]) {
      expect(publicUrl("/a?b", h({ host, "cf-connecting-ip": "1" }), TUNNEL), host).toBe(
        "https://t.trycloudflare.com/a?b",
      );
    }
  });

  it("a public Host stays itself, even one that starts or ends like a local name", () => {
    for (const host of ["localhost.example.com", "my127.example.com", "example.localhost9", "10.0.0.1"]) {
      expect(publicUrl("/a", h({ host, "cf-connecting-ip": "1" }), TUNNEL), host).toBe(`https://${host}/a`);
    }
  });

  it("no tunnel URL, no Host: the local name, as a local sender used it", () => {
    expect(publicUrl("/a", h({ host: "127.0.0.1:4665", "cf-connecting-ip": "1" }), undefined)).toBe(
      "https://127.0.0.1:4665/a",
    );
    expect(publicUrl("/a", h({}), TUNNEL)).toBe("http://localhost/a");
  });
});

describe("--events and --types patterns", () => {
  it("match the whole type, literally except for *, which spans dots", () => {
    const match = eventFilter("a+b.(c)|d,[x]?,^$y{1}\\") as (t?: string) => boolean;
    expect(match("a+b.(c)|d")).toBe(true);
    expect(match("aab.(c)|d")).toBe(false);
    expect(match("[x]?")).toBe(true);
    expect(match("x")).toBe(false);
    expect(match("^$y{1}\\")).toBe(true);
    const star = eventFilter("*") as (t?: string) => boolean;
    expect(star("")).toBe(true);
    expect(star(undefined)).toBe(false);
    const mid = eventFilter("customer.*.created") as (t?: string) => boolean;
    expect(mid("customer.subscription.created")).toBe(true);
    expect(mid("customer.a.b.created")).toBe(true);
    expect(mid("xcustomer.a.created")).toBe(false);
    expect(mid("customer.a.createdx")).toBe(false);
  });

  it("no flag means everything; an empty list is a usage error naming the flag", () => {
    expect(eventFilter(undefined)).toBeUndefined();
    let error: unknown;
    try {
      eventFilter(",", "--types");
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(HookError);
    expect((error as HookError).message).toBe("--types: no patterns given");
    expect((error as HookError).hint).toBe("for example --types payment_intent.*,charge.refunded");
    expect(() => eventFilter("")).toThrow("--events: no patterns given");
  });
});
