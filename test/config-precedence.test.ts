import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { CliProcess, runCli } from "./helpers/cli.js";
import { Target } from "./helpers/target.js";

describe("hook.config.json under flags and environment variables", () => {
  const cleanup: (() => Promise<unknown> | unknown)[] = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });
  const workDir = (config: unknown) => {
    const dir = mkdtempSync(join(tmpdir(), "hook-config-"));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(join(dir, "hook.config.json"), JSON.stringify(config));
    return dir;
  };

  it.each([
    [true, false],
    [false, true],
  ])('listen: "no-tunnel": %s in the file means tunnel %s', async (noTunnel, tunnelExpected) => {
    const dir = workDir({ listen: { "no-tunnel": noTunnel } });
    const listen = new CliProcess(["listen", "--json", "--port", "0"], {
      cwd: dir,
      env: { CLOUDFLARED_BIN: join(dir, "no-such-cloudflared") },
    });
    cleanup.push(() => listen.stop());
    await listen.waitFor(/"kind":"ready"/);
    if (tunnelExpected) await listen.waitFor(/"kind":"tunnel"/);
    else await new Promise((r) => setTimeout(r, 1000));
    expect(listen.stdout.includes('"kind":"tunnel"')).toBe(tunnelExpected);
  });

  it("poll: STRIPE_API_KEY in the environment wins over api-key in the file; a flag wins over both", async () => {
    const api = await new Target().start();
    cleanup.push(() => api.close());
    api.respond = () => ({
      status: 200,
      headers: { "content-type": "application/json" },
      body: '{"object":"list","data":[],"has_more":false}',
    });
    const dir = workDir({ poll: { "api-key": "sk_test_from_config" } });
    const poll = (args: string[], env: Record<string, string>) =>
      runCli(["poll", "--provider", "stripe", "--once", "--api-base", api.url, "-f", api.url, ...args], {
        cwd: dir,
        env,
      });
    const used = () => String(api.received.at(-1)?.headers.authorization);

    expect((await poll([], {})).code).toBe(0);
    expect(used()).toBe("Bearer sk_test_from_config");
    expect((await poll(["--state", "s2.json"], { STRIPE_API_KEY: "sk_test_from_env" })).code).toBe(0);
    expect(used()).toBe("Bearer sk_test_from_env");
    const flag = ["--state", "s3.json", "--api-key", "sk_test_from_flag"];
    expect((await poll(flag, { STRIPE_API_KEY: "sk_test_from_env" })).code).toBe(0);
    expect(used()).toBe("Bearer sk_test_from_flag");
  });
});
