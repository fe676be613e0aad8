import type { IncomingMessage, ServerResponse } from "node:http";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { HookError } from "../../src/errors.js";
import { FINAL_STATUSES, liqpaySource } from "../../src/poll/liqpay.js";
import { liqpaySignature } from "../../src/providers/liqpay.js";
import { LocalServer } from "../helpers/local-server.js";
import type { Target } from "../helpers/target.js";
import { FakeLiqpayApi } from "./helpers/fake-liqpay-api.js";
import { onePass, withPollServers } from "./helpers/run-pass.js";

const PUBLIC = "i00000000";
const PRIVATE = "a4825234f4bae72a0be04eafe9e8e2bada209255";

/** An API that answers every status request with the same text. */
class FixedAnswer extends LocalServer {
  answer = "{}";
  readonly paths: string[] = [];
  readonly types: (string | undefined)[] = [];
  protected handle(req: IncomingMessage, res: ServerResponse): void {
    this.paths.push(req.url ?? "");
    this.types.push(req.headers["content-type"]);
    req.resume();
    res.writeHead(200, { "content-type": "application/json" });
    res.end(this.answer);
  }
}

describe("poll liqpay: statuses and errors", () => {
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

  type Extra = { orders?: string[]; publicKey?: string; callbackKey?: string; base?: string };
  const run = (extra: Extra = {}) =>
    onePass({
      provider: "liqpay",
      source: liqpaySource({
        apiBase: extra.base ?? api.url,
        publicKey: extra.publicKey ?? PUBLIC,
        privateKey: PRIVATE,
        callbackKey: extra.callbackKey ?? PRIVATE,
        orders: extra.orders ?? ["A-1"],
      }),
      statePath,
      target: target.url,
    });
  const failure = (extra: Extra = {}) =>
    run(extra).then(
      () => undefined,
      (error: unknown) => error as HookError,
    );

  it("every final status ends the follow-up; any other keeps asking", async () => {
    const orders = [...FINAL_STATUSES].map((status, i) => {
      api.statuses.set(`F-${i}`, String(status));
      return `F-${i}`;
    });
    expect(orders).toHaveLength(7);
    const { result } = await run({ orders, base: `${api.url}//` });
    expect(result.delivered).toBe(7);
    expect(result.end).toEqual({ finished: true });
    expect(target.received.map((r) => r.headers["content-type"])).toEqual(
      orders.map(() => "application/x-www-form-urlencoded"),
    );
    const pending = await run({ orders: ["P-1"] });
    expect(pending.result.end).toEqual({ finished: false });
    api.statuses.set("P-1", "processing");
    const processing = await run({ orders: ["P-1"] });
    expect(processing.result.delivered).toBe(1);
    expect(processing.result.end).toEqual({ finished: false });
    expect(processing.events.find((e) => e.kind === "delivery")).toMatchObject({
      id: "P-1:processing",
      type: "processing",
    });
  });

  it('the state is keyed "orders"; a status seen before is not handed over again', async () => {
    api.statuses.set("A-1", "wait_accept");
    await run();
    const again = await run();
    expect(again.result).toMatchObject({ delivered: 0, skipped: 0 });
    expect(again.state.data.source).toBe("orders");
  });

  it("reports how many statuses each call carried", async () => {
    api.statuses.set("A-1", "success");
    const { events } = await run({ orders: ["A-1", "B-2"] });
    expect(events.filter((e) => e.kind === "poll").map((e) => e.kind === "poll" && e.count)).toEqual([1, 0]);
  });

  it("signs the callbacks with --secret when given, not with the API key", async () => {
    api.statuses.set("A-1", "success");
    await run({ callbackKey: "another-key" });
    const form = new URLSearchParams(target.received[0]?.body.toString("utf8"));
    const data = form.get("data") ?? "";
    expect(form.get("signature")).toBe(liqpaySignature("another-key", data));
    expect(JSON.parse(Buffer.from(data, "base64").toString("utf8"))).toMatchObject({
      status: "success",
      order_id: "A-1",
    });
  });

  it("an unknown public key is a refused key (exit 2), unlike an order nobody paid yet", async () => {
    const error = await failure({ publicKey: "i-wrong" });
    expect(error?.exitCode).toBe(2);
    expect(error?.message).toBe("LiqPay API: public_key_not_found: public_key not found");
    expect(error?.hint).toBe("check --public-key and --api-key or LIQPAY_PRIVATE_KEY");
  });

  describe("answers of another API", () => {
    let fixed: FixedAnswer;
    beforeEach(async () => {
      fixed = await new FixedAnswer().start();
    });
    afterEach(async () => {
      await fixed.close();
    });
    const answered = (text: string) => {
      fixed.answer = text;
      return failure({ base: fixed.url });
    };

    it("asks POST /api/request, and an error it cannot fix by waiting is exit 1 without a key hint", async () => {
      fixed.answer = '{"result":"error","err_code":"err_payment","err_description":"limit"}';
      const error = await failure({ base: `${fixed.url}//` });
      expect(fixed.paths).toEqual(["/api/request"]);
      expect(fixed.types).toEqual(["application/x-www-form-urlencoded"]);
      expect(error?.exitCode).toBe(1);
      expect(error?.message).toBe("LiqPay API: err_payment: limit");
      expect(error?.hint).toBeUndefined();
      expect((await answered('{"result":"error"}'))?.message).toBe("LiqPay API: error: no description");
      expect((await answered('{"result":"error","err_description":"Access denied"}'))?.exitCode).toBe(2);
    });

    it("an answer without a status and without an error means: ask again later", async () => {
      fixed.answer = '{"result":"ok"}';
      const { result } = await run({ base: fixed.url });
      expect(result).toMatchObject({ delivered: 0, skipped: 0, end: { finished: false } });
    });

    it("a text that is not JSON is an error pointing at --api-base", async () => {
      const error = await answered("<html>");
      expect(error?.message).toBe("LiqPay API: the status answer is not JSON");
      expect(error?.hint).toBe("check --api-base");
    });

    it("an error answer that still carries a status is taken as the status", async () => {
      fixed.answer = '{"result":"error","status":"failure","err_code":"err_payment"}';
      const { result } = await run({ base: fixed.url });
      expect(result.delivered).toBe(1);
      expect(result.end).toEqual({ finished: true });
    });
  });
});
