import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { Target } from "../helpers/target.js";
import { type Listening, workDir } from "../listen/helpers.js";
import { CASES, dataDirOf } from "./helpers/cases.js";
import type { FakeApi } from "./helpers/fake-api.js";
import {
  cloudflaredPids,
  listenRegistering,
  recorded,
  registerLines,
  tunnelUrls,
  until,
} from "./helpers/run.js";

const WRONG = "wrong-secret-0123456789abcdef";

describe.each(CASES)("hook listen --register: $name", (c) => {
  let work: ReturnType<typeof workDir>;
  let fake: FakeApi;
  let target: Target;
  let listen: Listening | undefined;

  beforeEach(async () => {
    work = workDir();
    fake = await c.fake().start();
    target = await new Target().start();
  });
  afterEach(async () => {
    await listen?.proc.stop("SIGKILL");
    listen = undefined;
    await fake.close();
    await target.close();
    work.remove();
  });

  const send = (secret: string, path = "/") =>
    fetch(`${listen?.url}${path}`, {
      method: "POST",
      headers: c.sign(c.body, secret, dataDirOf(work.dir)),
      body: c.body,
    });

  it("registers once the tunnel works, verifies with the registration's secret, removes it on Ctrl-C", async () => {
    listen = await listenRegistering(c, fake, work.dir, {
      forwardTo: target.url,
      args: ["--path", "/hooks/in"],
    });
    const [registered] = await registerLines(listen.proc, "registered");
    const [publicUrl] = tunnelUrls(listen.proc);
    expect(registered?.url).toBe(`${publicUrl}/hooks/in`);
    if (c.handshake) await until(() => fake.handshakes.length > 0, "the provider's handshake");
    // WebSub's subscription exists once the hub's GET was answered.
    await until(() => fake.live.size === 1, "the registration at the provider");
    if (c.handshake === "ping") expect(fake.handshakes[0]?.status).toBe(200);
    if (c.handshake === "challenge" || c.handshake === "get") {
      expect(fake.handshakes[0]).toMatchObject({ status: 200 });
      expect([...fake.live.values()][0]?.status ?? "enabled").toBe("enabled");
    }
    const secret = c.secretOf(fake, registered?.id as string);
    expect(secret).not.toBe("");
    const before = target.received.length;
    expect((await send(secret, "/hooks/in")).status).toBe(200);
    expect(target.received.length).toBe(before + 1);
    expect((await send(WRONG, "/hooks/in")).status).toBe(401);
    expect(target.received.length).toBe(before + 1);
    expect((await listen.proc.stop("SIGINT")).code).toBe(130);
    expect(fake.live.size).toBe(0);
    expect(recorded(work.dir)).toEqual([]);
    const states = listen.proc
      .jsonLines()
      .filter((l) => l.kind === "register")
      .map((l) => l.state);
    expect(states).toEqual(["registering", "registered", "removed"]);
    // The secret never shows: not in the output, not in the record.
    if (!c.secretShown) expect(listen.proc.stdout + listen.proc.stderr).not.toContain(secret);
  });

  it("follows a tunnel restart to its new URL, and removes the registration on SIGTERM", async () => {
    listen = await listenRegistering(c, fake, work.dir);
    await registerLines(listen.proc, "registered");
    process.kill(cloudflaredPids(work.dir)[0] as number, "SIGUSR2");
    const [updated] = await registerLines(listen.proc, "updated");
    const urls = tunnelUrls(listen.proc);
    expect(urls).toHaveLength(2);
    expect(urls[1]).not.toBe(urls[0]);
    expect(updated?.url).toBe(urls[1]);
    await until(() => [...fake.live.values()].some((l) => l.url === urls[1]), "the new URL at the provider");
    expect([...fake.live.values()].map((l) => l.url)).toEqual([urls[1]]);
    // Still verified with the same secret after the move.
    expect((await send(c.secretOf(fake, updated?.id as string))).status).toBe(200);
    expect((await listen.proc.stop("SIGTERM")).code).toBe(130);
    expect(fake.live.size).toBe(0);
  });

  it("leftovers of kill -9 go on the next run and with hook unregister; --keep stays until unregister", {
    timeout: 90_000,
  }, async () => {
    const later = c.name === "telegram" ? ["--replace"] : [];
    // A: kept.
    listen = await listenRegistering(c, fake, work.dir, { args: ["--keep"] });
    const [kept] = await registerLines(listen.proc, "registered");
    expect((await listen.proc.stop("SIGINT")).code).toBe(130);
    expect(recorded(work.dir)).toMatchObject([{ id: kept?.id, kept: true }]);
    // B: killed.
    listen = await listenRegistering(c, fake, work.dir, { args: later });
    const [killed] = await registerLines(listen.proc, "registered");
    await listen.proc.stop("SIGKILL");
    expect(recorded(work.dir).map((e) => e.id)).toContain(killed?.id);
    // C: removes B's leftover first, leaves A's.
    listen = await listenRegistering(c, fake, work.dir, { args: later });
    const [leftover] = await registerLines(listen.proc, c.name === "telegram" ? "restored" : "removed");
    expect(leftover).toMatchObject({ leftover: true, url: killed?.url });
    await registerLines(listen.proc, "registered");
    expect((await listen.proc.stop("SIGINT")).code).toBe(130);
    expect(recorded(work.dir).map((e) => e.url)).toEqual([kept?.url]);
    // D: killed again; hook unregister removes D's leftover and A's kept one.
    listen = await listenRegistering(c, fake, work.dir, { args: later });
    await registerLines(listen.proc, "registered");
    await listen.proc.stop("SIGKILL");
    listen = undefined;
    const result = await runCli(["unregister", "--provider", c.name, "--json"], {
      cwd: work.dir,
      env: c.env(fake),
    });
    expect(result.code, result.stderr).toBe(0);
    expect(recorded(work.dir)).toEqual([]);
    if (c.name !== "websub") {
      await until(() => fake.live.size === 0, "nothing left at the provider");
      return;
    }
    // A hub verifies an unsubscribe through the old callback, which died with its run: all hook can do
    // is ask, and the subscription lapses with its lease.
    const asked = fake.calls
      .filter((call) => call.form.get("hub.mode") === "unsubscribe")
      .map((call) => call.form.get("hub.callback"));
    expect(asked).toEqual(expect.arrayContaining([killed?.url, kept?.url]));
  });
});
