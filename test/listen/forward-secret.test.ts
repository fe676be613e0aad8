import type { Server } from "node:http";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { getProvider } from "../../src/providers/index.js";
import { findBuiltin } from "../../src/store/builtin-fixtures.js";
import { type Receiver, receiverFor, listen as serve } from "../commands/helpers/receivers.js";
import { CliProcess, runCli } from "../helpers/cli.js";
import { Target } from "../helpers/target.js";
import { type Listening, startListen, waitForLines, workDir } from "./helpers.js";

/** What the provider signs with (hook's --secret), and what the app behind -f knows. */
const PROVIDER_SECRET = "whsec_the_providers_secret_1234";
const APP_SECRET = "whsec_the_apps_own_secret_56789";

/** Each case: a built-in sample (its body and the headers the provider always sends), two secrets. */
const CASES = [
  { provider: "stripe", event: "payment_intent.succeeded", secrets: [PROVIDER_SECRET, APP_SECRET] },
  { provider: "github", event: "push", secrets: [PROVIDER_SECRET, APP_SECRET] },
  {
    provider: "paddle",
    event: "transaction.completed",
    secrets: ["pdl_ntfset_providers_0123456789", "pdl_ntfset_the_apps_own_98765"],
  },
] as const;

describe.each(CASES)("listen --forward-secret: $provider", (c) => {
  const [providerSecret, appSecret] = c.secrets;
  let work: ReturnType<typeof workDir>;
  let app: { server: Server; port: number };
  let receiver: Receiver;
  let hook: Listening | undefined;

  beforeEach(async () => {
    work = workDir();
    receiver = receiverFor(c.provider, appSecret, () => "");
    app = await serve(receiver.handler);
  });
  afterEach(async () => {
    await hook?.proc.stop("SIGKILL");
    hook = undefined;
    app.server.closeAllConnections();
    app.server.close();
    work.remove();
  });

  const appUrl = () => `http://127.0.0.1:${app.port}${receiver.path}`;
  const start = (...extra: string[]) =>
    startListen(["--provider", c.provider, "--secret", providerSecret, "-f", appUrl(), ...extra], {
      cwd: work.dir,
    });
  const sample = findBuiltin(c.provider, c.event).fixture;
  const signatureHeaders = new Set(getProvider(c.provider).signatureHeaders);
  const unsigned = Object.fromEntries(
    Object.entries(sample.headers).filter(([name]) => !signatureHeaders.has(name.toLowerCase())),
  );
  /** As the provider sends it: signed with the provider's secret, a delivery id of its own. */
  const send = (url: string) => {
    const signed = getProvider(c.provider).sign({
      body: sample.body,
      secret: providerSecret,
      timestamp: new Date(),
      deliveryId: "dlv-from-the-provider-1",
    });
    return fetch(url, { method: "POST", headers: { ...unsigned, ...signed }, body: sample.body });
  };

  it("without it the app's own library refuses what hook forwards (the case it exists for)", async () => {
    hook = await start();
    expect(hook.proc.stdout).not.toContain('"resigned"');
    const reply = await send(hook.url);
    expect(reply.status).toBeGreaterThanOrEqual(400);
    expect(receiver.accepted).toEqual([]);
  });

  it("live: the app's own library accepts each forwarded request, signed with the app's secret", async () => {
    hook = await start("--forward-secret", appSecret);
    expect(hook.proc.stdout).toMatch(/"kind":"ready".*"resigned":true/);
    const reply = await send(hook.url);
    expect(reply.status, await reply.text()).toBe(200);
    expect(receiver.accepted).toEqual([c.event]);
    // The second one too: each is signed at its own moment.
    expect((await send(hook.url)).status).toBe(200);
    expect(receiver.accepted).toHaveLength(2);
  });

  it("--durable: each delivery is signed with the app's secret, for every provider", async () => {
    hook = await start("--durable", "--forward-secret", appSecret);
    expect((await send(hook.url)).status).toBe(202);
    const [delivery] = await waitForLines(hook.proc, "delivery", 1);
    expect(delivery).toMatchObject({ ok: true, status: 200 });
    expect(receiver.accepted).toEqual([c.event]);
  });

  it("the secret is never printed, and a request the provider did not sign is still refused", async () => {
    hook = await start("--forward-secret", appSecret);
    const forged = await fetch(hook.url, { method: "POST", headers: unsigned, body: sample.body });
    expect(forged.status).toBe(401);
    expect(receiver.accepted).toEqual([]);
    await hook.proc.stop("SIGINT");
    expect(hook.proc.stdout + hook.proc.stderr).not.toContain(appSecret);
  });
});

describe("listen --forward-secret: what it needs", () => {
  it("the ready lines say what is forwarded is signed again (the secret itself never shown)", async () => {
    const work = workDir();
    const proc = new CliProcess(
      [
        ...["listen", "--no-tunnel", "--port", "0", "--provider", "stripe", "--secret", PROVIDER_SECRET],
        ...["-f", "http://127.0.0.1:9/in", "--forward-secret", APP_SECRET],
      ],
      { cwd: work.dir },
    );
    try {
      await proc.waitFor(/forwarding to http:\/\/127\.0\.0\.1:9\/in \(signed again with --forward-secret\)/);
    } finally {
      await proc.stop("SIGINT");
      work.remove();
    }
    expect(proc.stdout + proc.stderr).not.toContain(APP_SECRET);
  });

  it("a Stripe API key given as the app's secret is warned about, naming the flag", async () => {
    const work = workDir();
    try {
      const key = "sk_test_not_a_webhook_secret_42";
      const hook = await startListen(
        [
          "--provider",
          "stripe",
          "--secret",
          PROVIDER_SECRET,
          "-f",
          "http://127.0.0.1:9/",
          "--forward-secret",
          key,
        ],
        { cwd: work.dir },
      );
      const [warning] = await waitForLines(hook.proc, "warning", 1);
      expect(String(warning?.message)).toMatch(/^--forward-secret: /);
      await hook.proc.stop("SIGINT");
      expect(hook.proc.stdout + hook.proc.stderr).not.toContain(key);
    } finally {
      work.remove();
    }
  });

  it.each([
    [["--forward-secret", APP_SECRET, "-f", "http://127.0.0.1:9/"], "--forward-secret needs --provider"],
    [
      ["--provider", "stripe", "--secret", PROVIDER_SECRET, "--forward-secret", APP_SECRET],
      "--forward-secret needs --forward-to",
    ],
    [
      [
        "--provider",
        "paypal",
        "--webhook-id",
        "WH-1",
        "--forward-secret",
        APP_SECRET,
        "-f",
        "http://127.0.0.1:9/",
      ],
      "--forward-secret: paypal signs with a certificate, not a secret",
    ],
    [
      [
        "--provider",
        "stripe",
        "--secret",
        PROVIDER_SECRET,
        "--forward-secret",
        " ",
        "-f",
        "http://127.0.0.1:9/",
      ],
      "--forward-secret is empty",
    ],
  ])("%j is exit 2: %s", async (args, message) => {
    const work = workDir();
    try {
      const result = await runCli(["listen", "--no-tunnel", "--port", "0", ...args], { cwd: work.dir });
      expect(result.code, result.stderr).toBe(2);
      expect(result.stderr).toContain(message);
      expect(result.stderr).not.toContain(APP_SECRET);
    } finally {
      work.remove();
    }
  });
});

describe("hook outbox retry --forward-secret (beside no listener)", () => {
  it("signs the head with the app's secret, as the listener would have", async () => {
    const work = workDir();
    const receiver = receiverFor("github", APP_SECRET, () => "");
    const app = await serve(receiver.handler);
    const down = await Target.freePort();
    try {
      const hook = await startListen(
        [
          ...["--provider", "github", "--secret", PROVIDER_SECRET, "--durable", "--retry", "1h"],
          ...["-f", `http://127.0.0.1:${down}${receiver.path}`],
        ],
        { cwd: work.dir },
      );
      const sample = findBuiltin("github", "push").fixture;
      const signed = getProvider("github").sign({
        body: sample.body,
        secret: PROVIDER_SECRET,
        timestamp: new Date(),
        deliveryId: "dlv-offline-1",
      });
      const headers = { "content-type": "application/json", "x-github-event": "push", ...signed };
      expect((await fetch(hook.url, { method: "POST", headers, body: sample.body })).status).toBe(202);
      await waitForLines(hook.proc, "delivery", 1);
      await hook.proc.stop("SIGKILL");

      const appUrl = `http://127.0.0.1:${app.port}${receiver.path}`;
      const retry = (...extra: string[]) =>
        runCli(["outbox", "retry", "-f", appUrl, "--provider", "github", ...extra], { cwd: work.dir });
      const asCame = await retry("--secret", PROVIDER_SECRET);
      expect(asCame.code).toBe(1);
      expect(receiver.accepted).toEqual([]);
      const resigned = await retry("--forward-secret", APP_SECRET);
      expect(resigned.code, resigned.stderr).toBe(0);
      expect(receiver.accepted).toEqual(["push"]);
    } finally {
      app.server.closeAllConnections();
      app.server.close();
      work.remove();
    }
  });
});
