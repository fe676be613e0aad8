import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { type Listening, listenSetup, SECRET, stripeHeader } from "./helpers.js";

const BODY = '{"id":"evt_tolerance","type":"charge.refunded"}';
const HOUR_AGO = () => Math.floor(Date.now() / 1000) - 3600;

describe("--tolerance: one duration parser, never silently off", () => {
  const setup = listenSetup();
  let listen: Listening;

  const post = (url: string, timestamp: number) =>
    fetch(url, {
      method: "POST",
      body: BODY,
      headers: { "stripe-signature": stripeHeader(BODY, timestamp) },
    });

  it.each([
    ["10m", 401],
    ["0", 200],
  ])("listen --tolerance %s: an hour-old Stripe signature gets %i", async (tolerance, status) => {
    listen = await setup.listen([
      "--provider",
      "stripe",
      "--secret",
      SECRET,
      "--forward-to",
      setup.target.url,
      "--tolerance",
      tolerance,
    ]);
    const reply = await post(listen.url, HOUR_AGO());
    expect(reply.status).toBe(status);
    expect(setup.target.received).toHaveLength(status === 200 ? 1 : 0);
  });

  it("listen --tolerance 300 is a usage error that asks which unit was meant, from a flag or the config file", async () => {
    const flag = await runCli(
      ["listen", "--no-tunnel", "--provider", "stripe", "--secret", SECRET, "--tolerance", "300"],
      {
        cwd: setup.work.dir,
      },
    );
    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain('hook: --tolerance: "300" has no unit');
    expect(flag.stderr).toContain("did you mean 300s?");
    writeFileSync(join(setup.work.dir, "hook.config.json"), JSON.stringify({ listen: { tolerance: 300 } }));
    const file = await runCli(["listen", "--no-tunnel", "--provider", "stripe", "--secret", SECRET], {
      cwd: setup.work.dir,
    });
    expect(file.code).toBe(2);
    expect(file.stderr).toContain("did you mean 300s?");
  });

  it.each([
    ["10m", 1],
    ["0", 0],
    ["300", 2],
  ])("verify --tolerance %s on an hour-old signature exits %i", async (tolerance, code) => {
    const result = await runCli(
      [
        "verify",
        "--provider",
        "stripe",
        "--secret",
        SECRET,
        "--tolerance",
        tolerance,
        "--header",
        `Stripe-Signature: ${stripeHeader(BODY, HOUR_AGO())}`,
      ],
      { cwd: setup.work.dir, stdin: BODY },
    );
    expect(result.code).toBe(code);
    if (code === 1) expect(result.stderr + result.stdout).toMatch(/timestamp too old/);
  });

  it("verify --tolerance 500ms is a one-second window, not off", async () => {
    const result = await runCli(
      [
        "verify",
        "--provider",
        "stripe",
        "--secret",
        SECRET,
        "--tolerance",
        "500ms",
        "--header",
        `Stripe-Signature: ${stripeHeader(BODY, Math.floor(Date.now() / 1000) - 30)}`,
      ],
      { cwd: setup.work.dir, stdin: BODY },
    );
    expect(result.code).toBe(1);
  });
});
