import { describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";

describe("hook providers: which support --register", () => {
  it("marks the seven registrable providers, and says why the others are not", async () => {
    const result = await runCli(["providers", "--json"]);
    expect(result.code).toBe(0);
    const rows = result.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { name: string; register: boolean; registerNote?: string });
    const registrable = rows.filter((r) => r.register).map((r) => r.name);
    expect(registrable.sort()).toEqual([
      "github",
      "paddle",
      "paypal",
      "stripe",
      "telegram",
      "twitch",
      "websub",
    ]);
    expect(rows.find((r) => r.name === "slack")?.registerNote).toMatch(/app manifest/);
    expect(rows.find((r) => r.name === "shopify")?.registerNote).toMatch(/webhookSubscriptionCreate/);
    const human = await runCli(["providers"]);
    expect(human.stdout).toMatch(/stripe[\s\S]*--register works/);
    expect(human.stdout).toMatch(/twilio[\s\S]*no --register: /);
  });
});
