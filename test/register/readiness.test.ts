import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { TunnelRecord } from "../../src/events/types.js";
import { waitForDns } from "../../src/tunnel/reachable.js";
import { TunnelSupervisor } from "../../src/tunnel/supervisor.js";
import { FAKE_CLOUDFLARED, workDir } from "../listen/helpers.js";
import { until } from "./helpers/run.js";

const notFound = () => Promise.reject(Object.assign(new Error("ENOTFOUND"), { code: "ENOTFOUND" }));

describe("waitForDns", () => {
  it("asks again until the name resolves", async () => {
    let calls = 0;
    const lookup = () => (++calls < 3 ? notFound() : Promise.resolve({ address: "1.2.3.4" }));
    expect(await waitForDns("a-b.trycloudflare.com", { lookup, intervalMs: 1 })).toBe(true);
    expect(calls).toBe(3);
  });

  it("gives up after its deadline", async () => {
    let calls = 0;
    const lookup = () => {
      calls += 1;
      return notFound();
    };
    expect(await waitForDns("a-b.trycloudflare.com", { lookup, intervalMs: 5, timeoutMs: 30 })).toBe(false);
    expect(calls).toBeGreaterThan(1);
  });

  it("does not wait past its deadline on a resolver that never answers", async () => {
    const lookup = () => new Promise(() => {});
    expect(await waitForDns("a-b.trycloudflare.com", { lookup, intervalMs: 5, timeoutMs: 30 })).toBe(false);
  });
});

describe("the tunnel's reachable signal", () => {
  let work: ReturnType<typeof workDir>;
  let supervisor: TunnelSupervisor | undefined;
  beforeEach(() => {
    work = workDir();
  });
  afterEach(async () => {
    await supervisor?.close();
    work.remove();
  });

  it("comes only after cloudflared reported a registered connection and the hostname resolved", async () => {
    const connectedLog = join(work.dir, "connected");
    const startLog = join(work.dir, "starts");
    const seen: { host: string; connected: boolean }[] = [];
    const lookup = (host: string) => {
      seen.push({ host, connected: existsSync(connectedLog) });
      return seen.length < 3 ? notFound() : Promise.resolve({ address: "127.0.0.1" });
    };
    const records: TunnelRecord[] = [];
    supervisor = new TunnelSupervisor("http://127.0.0.1:9", {
      explicitBin: FAKE_CLOUDFLARED,
      env: {
        ...process.env,
        FAKE_CLOUDFLARED_MODE: "late-connect",
        FAKE_CLOUDFLARED_CONNECTED: connectedLog,
        FAKE_CLOUDFLARED_LOG: startLog,
      },
      emit: (record) => records.push(record),
      reachable: { lookup, intervalMs: 5 },
    });
    supervisor.start();
    await until(() => records.some((r) => r.state === "up"), "the tunnel URL");
    const up = records.find((r) => r.state === "up");
    const pid = (JSON.parse(readFileSync(startLog, "utf8").split("\n")[0] as string) as { pid: number }).pid;
    process.kill(pid, "SIGUSR1");
    await until(() => records.some((r) => r.state === "reachable"), "reachable");
    expect(records.find((r) => r.state === "reachable")?.url).toBe(up?.url);
    expect(seen.length).toBe(3);
    // Every lookup came after the connection line: none while only the URL existed.
    expect(seen.every((s) => s.connected)).toBe(true);
    expect(seen[0]?.host).toBe(new URL(up?.url as string).hostname);
  });

  it("reports unreachable when the hostname never resolves within the deadline", async () => {
    const records: TunnelRecord[] = [];
    supervisor = new TunnelSupervisor("http://127.0.0.1:9", {
      explicitBin: FAKE_CLOUDFLARED,
      env: { ...process.env, FAKE_CLOUDFLARED_MODE: "success" },
      emit: (record) => records.push(record),
      reachable: { lookup: notFound, intervalMs: 5, timeoutMs: 50 },
    });
    supervisor.start();
    await until(() => records.some((r) => r.state === "unreachable"), "unreachable");
    const up = records.find((r) => r.state === "up");
    expect(records.find((r) => r.state === "unreachable")).toMatchObject({
      url: up?.url,
      reason: `${new URL(up?.url as string).hostname} does not resolve yet`,
    });
    expect(records.some((r) => r.state === "reachable")).toBe(false);
  });

  it("is not asked for unless --register wants it: no lookups, no reachable", async () => {
    const records: TunnelRecord[] = [];
    supervisor = new TunnelSupervisor("http://127.0.0.1:9", {
      explicitBin: FAKE_CLOUDFLARED,
      env: { ...process.env, FAKE_CLOUDFLARED_MODE: "success" },
      emit: (record) => records.push(record),
    });
    supervisor.start();
    await until(() => records.some((r) => r.state === "up"), "the tunnel URL");
    await supervisor.close();
    expect(records.map((r) => r.state)).toEqual(["starting", "up", "stopped"]);
  });
});
