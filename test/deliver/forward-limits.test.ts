import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Forwarder } from "../../src/deliver/forward.js";
import { Target } from "../helpers/target.js";

/** listen's forwarder, and so the durable outbox that sends through it. */
describe("Forwarder limits", () => {
  let target: Target;
  let forwarder: Forwarder | undefined;
  beforeEach(async () => {
    target = await new Target().start();
  });
  afterEach(async () => {
    await forwarder?.close(0);
    await target.close();
  });

  const send = (timeoutMs: number) => {
    forwarder = new Forwarder(new URL(`${target.url}/app`), timeoutMs, {});
    return forwarder.send({
      method: "POST",
      path: "/hook",
      headers: [["content-type", "text/plain"]],
      body: Buffer.from("x"),
    });
  };

  it("an app whose answer trickles forever is a timeout at --timeout", async () => {
    target.respond = () => ({ status: 200, stream: "slow" });
    const result = await send(400);
    expect(result).toMatchObject({ ok: false, kind: "timeout" });
    if (!result.ok)
      expect(result.error).toContain(`no complete answer from 127.0.0.1:${target.port} within 400ms`);
  });

  it("an answer that never ends is cut at the cap; the status still goes back to the sender", async () => {
    target.respond = () => ({ status: 202, stream: "flood" });
    const result = await send(20_000);
    expect(result).toMatchObject({ ok: true, status: 202 });
    // 10 MB, as docs/configuration.md says.
    if (result.ok) expect(result.body.length).toBe(10 * 1024 * 1024);
  });

  it("a target that is down: refused, in words, with the hint", async () => {
    await target.close();
    target = await new Target().start();
    const port = await Target.freePort();
    forwarder = new Forwarder(new URL(`http://127.0.0.1:${port}`), 5_000, {});
    const result = await forwarder.send({ method: "POST", path: "/", headers: [], body: Buffer.from("x") });
    expect(result).toMatchObject({
      ok: false,
      kind: "unreachable",
      error: `connection refused by 127.0.0.1:${port} (is the app running and listening on that port?)`,
    });
  });
});
