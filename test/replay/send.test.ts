import { afterAll, afterEach, describe, expect, it } from "vitest";
import { createSender, RESPONSE_KEEP } from "../../src/replay/send.js";
import { Target } from "../helpers/target.js";

describe("replay's sender", () => {
  let target: Target;
  const sender = createSender(2);
  afterAll(() => sender.close());
  afterEach(async () => {
    await target?.close();
  });

  const send = () =>
    sender.send(
      {
        method: "POST",
        url: `${target.url}/hooks`,
        headers: { "content-type": "application/json" },
        body: Buffer.from("{}"),
      },
      5_000,
    );

  it("carries the start of the app's answer as responseBody, bounded", async () => {
    target = await new Target().start();
    const why = "Webhook Error: No signatures found matching the expected signature for payload.\n";
    target.respond = () => ({ status: 400, body: why + "x".repeat(200 * 1024) });
    const answer = await send();
    expect(answer.status).toBe(400);
    expect(answer.responseBody?.length).toBe(RESPONSE_KEEP);
    expect(
      Buffer.from(answer.responseBody ?? [])
        .toString()
        .startsWith(why),
    ).toBe(true);
  });
});
