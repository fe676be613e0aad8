import { describe, expect, it } from "vitest";
import type { HookError } from "../../src/errors.js";
import { proxyFor, proxySettings } from "../../src/net/proxy.js";

const via = (url: string, env: Record<string, string>) => proxyFor(new URL(url), proxySettings(env))?.href;

describe("proxy settings from HTTP_PROXY, HTTPS_PROXY, NO_PROXY", () => {
  const env = { HTTP_PROXY: "http://plain:3128", HTTPS_PROXY: "http://secure:3128" };

  it("picks the proxy by the target's scheme; HTTPS falls back to HTTP_PROXY", () => {
    expect(via("http://api.example.com/x", env)).toBe("http://plain:3128/");
    expect(via("https://api.example.com/x", env)).toBe("http://secure:3128/");
    expect(via("https://api.example.com/x", { HTTP_PROXY: "http://plain:3128" })).toBe("http://plain:3128/");
    expect(via("http://api.example.com/x", { HTTPS_PROXY: "http://secure:3128" })).toBeUndefined();
    expect(via("https://api.example.com/x", {})).toBeUndefined();
  });

  it("the lower-case spelling wins, an empty one turns the proxy off, and a bare host:port means http://", () => {
    expect(
      via("https://a.example.com", { HTTPS_PROXY: "http://upper:1", https_proxy: "http://lower:2" }),
    ).toBe("http://lower:2/");
    expect(via("https://a.example.com", { HTTPS_PROXY: "http://upper:1", https_proxy: "" })).toBeUndefined();
    expect(via("https://a.example.com", { HTTPS_PROXY: "proxy.corp:8080" })).toBe("http://proxy.corp:8080/");
  });

  it("never proxies loopback: localhost, *.localhost, 127.0.0.0/8, ::1", () => {
    for (const url of [
      "http://localhost:3000",
      "http://app.localhost",
      "http://127.0.0.1:3000",
      "http://127.1.2.3",
      "http://[::1]:3000",
    ]) {
      expect(via(url, env), url).toBeUndefined();
    }
  });

  it("NO_PROXY: exact hosts, domains and their subdomains, ports, addresses, CIDR ranges, and *", () => {
    const no = (value: string) => ({ ...env, NO_PROXY: value });
    expect(via("https://api.corp.example", no("corp.example"))).toBeUndefined();
    expect(via("https://api.corp.example", no(".corp.example"))).toBeUndefined();
    expect(via("https://api.corp.example", no("*.corp.example"))).toBeUndefined();
    expect(via("https://notcorp.example", no("corp.example"))).toBe("http://secure:3128/");
    expect(via("https://api.corp.example:8443", no("api.corp.example:8443"))).toBeUndefined();
    expect(via("https://api.corp.example", no("api.corp.example:8443"))).toBe("http://secure:3128/");
    expect(via("http://10.1.2.3:8080", no("10.0.0.0/8"))).toBeUndefined();
    expect(via("http://192.168.1.5", no("10.0.0.0/8, 192.168.1.5"))).toBeUndefined();
    expect(via("http://192.168.1.6", no("10.0.0.0/8 192.168.1.5"))).toBe("http://plain:3128/");
    expect(via("https://anything.example", no("*"))).toBeUndefined();
    expect(via("https://API.Corp.Example", { ...env, no_proxy: "api.corp.example" })).toBeUndefined();
  });

  it("a proxy URL that cannot be used is a usage error naming the variable, never its value", () => {
    const bad = (value: string) => {
      try {
        proxySettings({ HTTPS_PROXY: value });
      } catch (error) {
        return error as HookError;
      }
      throw new Error("no error");
    };
    const broken = bad("http://user:s3cret@[bad");
    expect(broken.exitCode).toBe(2);
    expect(broken.message).toBe("HTTPS_PROXY: not a proxy URL");
    expect(broken.message + (broken.hint ?? "")).not.toContain("s3cret");
    expect(bad("ftp://proxy:21").message).toBe("HTTPS_PROXY: ftp proxies are not supported");
  });
});
