import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CliProcess, runCli } from "../helpers/cli.js";
import { type Listening, startListen, workDir } from "../listen/helpers.js";
import { FakeGithub, FakeStripe } from "./helpers/fake-providers.js";
import { recorded, registerLines } from "./helpers/run.js";

describe("hook listen --register: what people see", () => {
  let work: ReturnType<typeof workDir>;
  let stripe: FakeStripe;
  let listen: Listening | undefined;
  beforeEach(async () => {
    work = workDir();
    stripe = await new FakeStripe().start();
  });
  afterEach(async () => {
    await listen?.proc.stop("SIGKILL");
    listen = undefined;
    await stripe.close();
    work.remove();
  });

  const args = [
    "--provider",
    "stripe",
    "--register",
    "--no-tunnel",
    "--public-url",
    "https://hooks.example.com/in",
  ];

  it("one line per step, the secret nowhere", async () => {
    const proc = new CliProcess(["listen", "--port", "0", ...args, "--api-base", stripe.url], {
      cwd: work.dir,
      env: { STRIPE_API_KEY: stripe.key },
    });
    await proc.waitFor(/registered stripe webhook (we_\d+) -> https:\/\/hooks\.example\.com\/in\n/);
    expect((await proc.stop("SIGINT")).code).toBe(130);
    expect(proc.stderr).toMatch(/registering stripe webhook -> https:\/\/hooks\.example\.com\/in\n/);
    expect(proc.stderr).toMatch(/removed stripe webhook we_\d+\n/);
    // The fake handed out a whsec_ secret; no part of it is shown.
    expect(stripe.calls[0]?.path).toBe("/v1/webhook_endpoints");
    expect(proc.stderr + proc.stdout).not.toMatch(/whsec_/);
    expect(proc.stderr + proc.stdout).not.toContain(stripe.key);
  });

  it("hook unregister leaves a running listen's registration to it", async () => {
    listen = await startListen([...args, "--api-base", stripe.url], {
      cwd: work.dir,
      env: { STRIPE_API_KEY: stripe.key },
    });
    await registerLines(listen.proc, "registered");
    const result = await runCli(["unregister"], { cwd: work.dir, env: { STRIPE_API_KEY: stripe.key } });
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/belongs to a running hook listen \(pid \d+\): stop it with Ctrl-C/);
    expect(stripe.live.size).toBe(1);
    expect(recorded(work.dir)).toHaveLength(1);
    expect((await listen.proc.stop("SIGINT")).code).toBe(130);
    expect(stripe.live.size).toBe(0);
    const empty = await runCli(["unregister", "--json"], { cwd: work.dir });
    expect(empty.code).toBe(0);
    expect(empty.stdout.trim()).toBe('{"kind":"summary","removed":0,"failed":0}');
  });

  it("a provider echoing the webhook secret back in an error does not get it shown", async () => {
    const github = await new FakeGithub().start();
    const secret = "my-own-webhook-secret-0123456789";
    github.failures.push({
      status: 422,
      body: { message: "Validation Failed", errors: [{ message: `config.secret ${secret} is weak` }] },
    });
    listen = await startListen(
      [
        "--provider",
        "github",
        "--register",
        "--repo",
        "o/r",
        "--secret",
        secret,
        "--no-tunnel",
        "--public-url",
        "https://x.example.com",
        "--api-base",
        github.url,
      ],
      {
        cwd: work.dir,
        env: { GITHUB_TOKEN: github.key },
      },
    );
    const [failed] = await registerLines(listen.proc, "failed");
    expect(failed?.reason).toBe(
      "GitHub API refused to create the webhook (422): Validation Failed; config.secret [redacted] is weak",
    );
    expect(listen.proc.stdout + listen.proc.stderr).not.toContain(secret);
    await github.close();
  });
});
