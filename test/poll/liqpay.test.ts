import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { HookError } from "../../src/errors.js";
import { liqpaySource } from "../../src/poll/liqpay.js";
import { getProvider } from "../../src/providers/index.js";
import { liqpaySignature } from "../../src/providers/liqpay.js";
import type { Target } from "../helpers/target.js";
import { FakeLiqpayApi } from "./helpers/fake-liqpay-api.js";
import { onePass, withPollServers } from "./helpers/run-pass.js";

const PUBLIC = "i00000000";
const PRIVATE = "a4825234f4bae72a0be04eafe9e8e2bada209255";

describe("poll liqpay", () => {
  let api: FakeLiqpayApi;
  let target: Target;
  let statePath: string;

  withPollServers(
    () => new FakeLiqpayApi(PUBLIC, PRIVATE).start(),
    "liqpay.json",
    (s) => {
      ({ api, target, statePath } = s);
    },
  );

  const run = (privateKey = PRIVATE) =>
    onePass({
      provider: "liqpay",
      source: liqpaySource({
        apiBase: api.url,
        publicKey: PUBLIC,
        privateKey,
        callbackKey: privateKey,
        orders: ["A-1", "B-2"],
      }),
      statePath,
      target: target.url,
    });
  const callbacks = () =>
    target.received.map((r) => {
      const form = new URLSearchParams(r.body.toString("utf8"));
      return {
        data: form.get("data") ?? "",
        signature: form.get("signature") ?? "",
        raw: r.body,
        headers: r.headers,
      };
    });

  it("follows each order until its status is final, delivering every change as a signed callback", async () => {
    api.statuses.set("A-1", "wait_accept");
    const first = await run();
    expect(first.calls).toBe(2);
    expect(first.result.delivered).toBe(1);
    expect(first.result.end?.finished).toBe(false);
    expect(api.requests[0]).toEqual({ action: "status", version: 3, public_key: PUBLIC, order_id: "A-1" });

    const same = await run();
    expect(same.result.delivered).toBe(0);

    api.statuses.set("A-1", "success");
    api.statuses.set("B-2", "failure");
    const last = await run();
    expect(last.result.delivered).toBe(2);
    expect(last.result.end?.finished).toBe(true);
    expect(last.state.data.orders).toEqual({ "A-1": "success", "B-2": "failure" });

    const done = await run();
    expect(done.calls).toBe(0);

    const provider = getProvider("liqpay");
    for (const callback of callbacks()) {
      // Recomputed as LiqPay documents it, and checked by our provider module.
      const expected = createHash("sha1")
        .update(PRIVATE + callback.data + PRIVATE)
        .digest("base64");
      expect(callback.signature).toBe(expected);
      const verdict = provider.verify({
        body: callback.raw,
        headers: new Headers(),
        secrets: [PRIVATE],
        now: new Date(),
      });
      expect(verdict.ok).toBe(true);
      expect(callback.headers["content-type"]).toBe("application/x-www-form-urlencoded");
    }
    // data is the API's answer, byte for byte (the Cyrillic description included).
    const statuses = callbacks().map(
      (c) => JSON.parse(Buffer.from(c.data, "base64").toString("utf8")).status,
    );
    expect(statuses).toEqual(["wait_accept", "success", "failure"]);
    expect(Buffer.from(callbacks()[2]?.data ?? "", "base64").toString("utf8")).toBe(api.answers.get("B-2"));
  });

  it("a refused key is exit 2", async () => {
    api.statuses.set("A-1", "success");
    const failure = (await run("wrong-private-key").catch((error: unknown) => error)) as HookError;
    expect(failure).toBeInstanceOf(HookError);
    expect(failure.exitCode).toBe(2);
    expect(failure.message).toMatch(/err_signature/);
  });

  it("signs as the LiqPay docs' data_signature example does", () => {
    const data =
      "eyJwdWJsaWNfa2V5IjoiaTAwMDAwMDAwIiwidmVyc2lvbiI6IjMiLCJhY3Rpb24iOiJwYXkiLCJhbW91bnQiOiIzIiwiY3VycmVuY3kiOiJVQUgiLCJkZXNjcmlwdGlvbiI6InRlc3QiLCJvcmRlcl9pZCI6IjAwMDAwMSJ9";
    expect(liqpaySignature(PRIVATE, data)).toBe("wR+UZDC4jjeL/qUOvIsofIWpZh8=");
  });
});
