import { afterEach, describe, expect, it } from "vitest";
import { PtyProcess } from "../helpers/pty.js";
import { Target } from "../helpers/target.js";
import { FAKE_CLOUDFLARED, SECRET, workDir } from "../listen/helpers.js";
import { FakeStripeApi } from "../poll/helpers/fake-stripe-api.js";
import { writeStaleFixture } from "../replay/helpers.js";

/**
 * Ctrl-C on a real terminal. A spinner that puts stdin in raw mode turns Ctrl-C into a plain byte:
 * the process never gets SIGINT and cannot be stopped (hook poll, before the fix).
 */
describe("Ctrl-C on a terminal", () => {
  const cleanup: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });

  it("stops hook poll while its spinner waits for the next pass, and counts down to it", async () => {
    const api = await new FakeStripeApi().start();
    const target = await new Target().start();
    const work = workDir();
    cleanup.push(
      () => api.close(),
      () => target.close(),
      () => work.remove(),
    );
    const poll = new PtyProcess(
      ["poll", "--provider", "stripe", "--api-base", api.url, "-f", target.url, "--interval", "1h"],
      { cwd: work.dir, env: { STRIPE_API_KEY: "sk_test_fake" } },
    );
    cleanup.push(() => poll.kill());
    await poll.waitFor(/polling Stripe API every 1h/);
    await poll.waitFor(/next poll in 59m 5\ds/);
    await poll.waitFor(/next poll in 59m 5[0-8]s/);
    poll.pressCtrlC();
    expect(await poll.exitCode()).toBe(130);
    expect(poll.output).toMatch(/stopping/);
  });

  it("stops hook listen", async () => {
    const work = workDir();
    cleanup.push(() => work.remove());
    const listen = new PtyProcess(["listen", "--port", "0", "--cloudflared", FAKE_CLOUDFLARED], {
      cwd: work.dir,
    });
    cleanup.push(() => listen.kill());
    await listen.waitFor(/public URL/);
    listen.pressCtrlC();
    expect(await listen.exitCode()).toBe(130);
  });

  it("stops hook replay while its counter runs", async () => {
    const target = await new Target().start();
    // Slow enough that the run is still going when Ctrl-C comes.
    target.respond = () => ({ status: 200, body: "ok", delayMs: 300 });
    const work = workDir();
    cleanup.push(
      () => target.close(),
      () => work.remove(),
    );
    for (let i = 0; i < 40; i++) {
      writeStaleFixture(
        work.dir,
        `f/${String(i).padStart(2, "0")}.json`,
        { provider: "stripe", body: `{"id":"evt_${i}"}` },
        SECRET,
      );
    }
    const replay = new PtyProcess(["replay", "f", "--to", target.url, "--secret", SECRET], { cwd: work.dir });
    cleanup.push(() => replay.kill());
    await replay.waitFor(/\d+\/40 sent/);
    replay.pressCtrlC();
    expect(await replay.exitCode()).toBe(130);
    expect(replay.output).toMatch(/not sent \(interrupted\)/);
  });
});
