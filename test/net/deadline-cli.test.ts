import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { Target } from "../helpers/target.js";
import { tempDir } from "../replay/helpers.js";

const SECRET = "whsec_deadline_secret";

/** A target whose answer never ends must not hang replay, trigger or check: --timeout is a deadline. */
describe("every send has a total deadline and a read cap", () => {
  let target: Target;
  let cwd: string;
  beforeEach(async () => {
    target = await new Target().start();
    cwd = tempDir();
    writeFileSync(
      join(cwd, "evt.json"),
      '{"id":"evt_1","type":"payment_intent.succeeded","data":{"object":{}}}',
    );
  });
  afterEach(async () => {
    await target.close();
  });

  const cut = (ms: string) => `no complete answer from 127.0.0.1:${target.port} within ${ms}`;

  it("replay: an answer that trickles forever fails at --timeout, in words", async () => {
    target.respond = () => ({ status: 200, stream: "slow" });
    const result = await runCli(
      [
        "replay",
        "evt.json",
        "--provider",
        "stripe",
        "--secret",
        SECRET,
        "--to",
        target.url,
        "--timeout",
        "500ms",
      ],
      { cwd },
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(cut("500ms"));
  });

  it("replay: an answer that never ends but floods is read up to the cap; its status counts", async () => {
    target.respond = () => ({ status: 500, body: "Error: no signatures found\n", stream: "flood" });
    const result = await runCli(
      ["replay", "evt.json", "--provider", "stripe", "--secret", SECRET, "--to", target.url, "--json"],
      { cwd },
    );
    expect(result.code).toBe(1);
    const line = JSON.parse(result.stdout.split("\n")[0] ?? "{}");
    expect(line).toMatchObject({ status: 500, pass: false });
    expect(line.answerStart).toMatch(/^Error: no signatures found\n/);
  });

  it("trigger: the same deadline", async () => {
    target.respond = () => ({ status: 200, stream: "slow" });
    const result = await runCli(
      [
        "trigger",
        "stripe",
        "payment_intent.succeeded",
        "--secret",
        SECRET,
        "--to",
        target.url,
        "--timeout",
        "400ms",
      ],
      { cwd },
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(cut("400ms"));
  });

  it("check: a valid event whose answer never ends is a FAIL within the budget's wait, not a hang", async () => {
    let first = true;
    target.respond = () => {
      const slow = first;
      first = false;
      return slow ? { status: 200, stream: "slow" } : { status: 400 };
    };
    const result = await runCli(
      ["check", "--to", target.url, "--provider", "stripe", "--secret", SECRET, "--budget", "200ms"],
      { cwd },
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(cut("1.2s"));
  });
});

describe("answer bytes stay out of JSON", () => {
  it("check --json and its JSON report carry no responseBody dump", async () => {
    const target = await new Target().start();
    try {
      target.respond = () => ({ status: 400, body: "Webhook Error: No signatures found" });
      const cwd = tempDir();
      const result = await runCli(
        [
          "check",
          "--to",
          target.url,
          "--provider",
          "stripe",
          "--secret",
          SECRET,
          "--json",
          "--report",
          "r.json",
        ],
        { cwd },
      );
      expect(result.code).toBe(1);
      expect(result.stdout).toContain('"kind":"scenario"');
      expect(result.stdout).not.toContain("responseBody");
      expect(readFileSync(join(cwd, "r.json"), "utf8")).not.toContain("responseBody");
    } finally {
      await target.close();
    }
  });
});
