import { readFileSync } from "node:fs";
import { Webhooks } from "@octokit/webhooks";
import Stripe from "stripe";
import { describe, expect, it } from "vitest";
import { sign } from "../src/index.js";

describe("the library's sign()", () => {
  it("gives GitHub's always-sent headers, so octokit's own receiver accepts the request", async () => {
    const body = readFileSync(new URL("../fixtures/github/push.json", import.meta.url), "utf8");
    const payload = JSON.parse(body).request?.body ?? body;
    const { headers } = sign({ provider: "github", secret: "It's a Secret to Everybody", body: payload });
    const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
    expect(lower["x-github-event"]).toBe("push");
    expect(lower["x-github-delivery"]).toMatch(/^[0-9a-f-]{36}$/);
    expect(lower["content-type"]).toBe("application/json");
    const webhooks = new Webhooks({ secret: "It's a Secret to Everybody" });
    const seen: string[] = [];
    webhooks.on("push", () => {
      seen.push("push");
    });
    await webhooks.verifyAndReceive({
      id: lower["x-github-delivery"] as string,
      name: lower["x-github-event"] as "push",
      payload,
      signature: lower["x-hub-signature-256"] as string,
    });
    expect(seen).toEqual(["push"]);
  });

  it("keeps a delivery id it is given, and still signs what stripe-node verifies", () => {
    const fixed = sign({ provider: "github", secret: "s", body: "{}", deliveryId: "d-1" });
    expect(Object.entries(fixed.headers)).toContainEqual(["X-GitHub-Delivery", "d-1"]);
    const body = '{"id":"evt_1","object":"event","type":"charge.refunded"}';
    const { headers } = sign({ provider: "stripe", secret: "whsec_test", body });
    const signature = headers["Stripe-Signature"] ?? headers["stripe-signature"];
    expect(Stripe.webhooks.constructEvent(body, signature as string, "whsec_test").id).toBe("evt_1");
  });
});
