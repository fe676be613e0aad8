import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { boxUrl, failureHint, lineSplitter } from "../../src/tunnel/log.js";
import { CliProcess } from "../helpers/cli.js";
import { FAKE_CLOUDFLARED, type Listening, startListen, waitForLines, workDir } from "./helpers.js";

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe("hook listen: the cloudflared tunnel (with a stand-in binary)", () => {
  let work: ReturnType<typeof workDir>;
  let listen: Listening | undefined;
  let logFile: string;

  beforeEach(() => {
    work = workDir();
    logFile = join(work.dir, "cloudflared-starts.ndjson");
  });

  afterEach(async () => {
    // SIGINT: hook stops cloudflared itself on the way out (a SIGKILL would leave it running).
    await listen?.proc.stop("SIGINT");
    listen = undefined;
    work.remove();
  });

  const starts = () =>
    readFileSync(logFile, "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { argv: string[]; token: boolean; pid: number });

  const withFake = (mode: string, args: string[] = [], env: Record<string, string> = {}) =>
    startListen(["--cloudflared", FAKE_CLOUDFLARED, ...args], {
      cwd: work.dir,
      tunnel: true,
      env: { FAKE_CLOUDFLARED_MODE: mode, FAKE_CLOUDFLARED_LOG: logFile, ...env },
    });

  it("reports the quick tunnel's URL from cloudflared's box, and stops cloudflared on Ctrl-C", async () => {
    listen = await withFake("success");
    const [up] = await waitForLines(listen.proc, "tunnel", 1, 10_000, (t) => t.state === "up");
    expect(up?.url).toMatch(/^https:\/\/[a-z]+-[a-z]+-\d+-tunnel\.trycloudflare\.com$/);
    expect(up?.quick).toBe(true);
    const [start] = starts();
    expect(start?.argv).toEqual(["tunnel", "--no-autoupdate", "--url", listen.url]);
    expect(alive(start?.pid as number)).toBe(true);
    expect((await listen.proc.stop("SIGINT")).code).toBe(130);
    expect(alive(start?.pid as number)).toBe(false);
  });

  it("a cloudflared that ignores SIGINT is killed after the grace period; hook still exits 130", async () => {
    listen = await withFake("stubborn");
    await waitForLines(listen.proc, "tunnel", 1, 10_000, (t) => t.state === "up");
    const [start] = starts();
    expect((await listen.proc.stop("SIGINT")).code).toBe(130);
    expect(alive(start?.pid as number)).toBe(false);
  });

  it("shows the URL prominently, with the reminder that it changes every run", async () => {
    const proc = new CliProcess(["listen", "--port", "0", "--cloudflared", FAKE_CLOUDFLARED], {
      cwd: work.dir,
      env: { FAKE_CLOUDFLARED_MODE: "success" },
    });
    await proc.waitFor(/tunnel public URL: https:\/\/\S+\.trycloudflare\.com\n.*changes every run/);
    expect((await proc.stop("SIGINT")).code).toBe(130);
  });

  it("when the quick-tunnel request fails: says why with a hint, reports no api.trycloudflare.com URL, keeps serving", async () => {
    listen = await withFake("dns-fail");
    const [failed] = await waitForLines(listen.proc, "tunnel", 1, 10_000, (t) => t.state === "failed");
    expect(failed?.reason).toMatch(/failed to request quick Tunnel: .*no such host/);
    expect(failed?.hint).toMatch(/keeps listening locally/);
    expect(listen.proc.stdout).not.toMatch(/"url":"https:\/\/api\.trycloudflare\.com/);
    const reply = await fetch(listen.url, { method: "POST", body: "{}" });
    expect(reply.status).toBe(200);
    expect((await listen.proc.stop("SIGINT")).code).toBe(130);
  });

  it("explains a rate limit (429) with the matching hint", async () => {
    listen = await withFake("rate-limit");
    const [failed] = await waitForLines(listen.proc, "tunnel", 1, 10_000, (t) => t.state === "failed");
    expect(failed?.reason).toMatch(/failed to unmarshal quick Tunnel/);
    expect(failed?.hint).toMatch(/rate limiting/);
    expect(String(failed?.tail)).toMatch(/429 Too Many Requests/);
  });

  it("restarts cloudflared when it dies and reports the new URL", async () => {
    listen = await withFake("crash", [], { FAKE_CLOUDFLARED_CRASH_MS: "200" });
    const ups = await waitForLines(listen.proc, "tunnel", 2, 15_000, (t) => t.state === "up");
    expect(ups[0]?.url).not.toBe(ups[1]?.url);
    const states = listen.proc
      .jsonLines()
      .filter((l) => l.kind === "tunnel")
      .map((l) => l.state);
    expect(states.slice(0, 5)).toEqual(["starting", "up", "down", "restarting", "starting"]);
    expect(starts().length).toBeGreaterThanOrEqual(2);
  });

  it("a missing binary is one clear line, and hook keeps listening", async () => {
    listen = await startListen(["--cloudflared", join(work.dir, "nope", "cloudflared")], {
      cwd: work.dir,
      tunnel: true,
    });
    const [failed] = await waitForLines(listen.proc, "tunnel", 1, 10_000, (t) => t.state === "failed");
    expect(failed?.reason).toMatch(/--cloudflared: .*nope\/cloudflared does not exist/);
    expect((await fetch(listen.url, { method: "POST", body: "{}" })).status).toBe(200);
  });

  it("CLOUDFLARED_BIN selects the binary; a named tunnel gets its token in the environment, not argv", async () => {
    listen = await startListen(["--tunnel-token", "tok_secret_value"], {
      cwd: work.dir,
      tunnel: true,
      env: {
        CLOUDFLARED_BIN: FAKE_CLOUDFLARED,
        FAKE_CLOUDFLARED_MODE: "named",
        FAKE_CLOUDFLARED_LOG: logFile,
      },
    });
    const [up] = await waitForLines(listen.proc, "tunnel", 1, 10_000, (t) => t.state === "up");
    expect(up?.quick).toBe(false);
    const [start] = starts();
    expect(start?.token).toBe(true);
    expect(start?.argv.join(" ")).not.toContain("tok_secret_value");
    expect(listen.proc.stdout + listen.proc.stderr).not.toContain("tok_secret_value");
  });
});

describe("cloudflared log parsing", () => {
  it("takes the URL only from the box row, never the API host of an error line", () => {
    const row =
      "2021-09-03T10:44:41Z INF |  https://symantec-transferred-lock-revenues.trycloudflare.com      |";
    expect(boxUrl(row)).toBe("https://symantec-transferred-lock-revenues.trycloudflare.com");
    const error =
      'failed to request quick Tunnel: Post "https://api.trycloudflare.com/tunnel": dial tcp: lookup api.trycloudflare.com: no such host';
    expect(boxUrl(error)).toBeUndefined();
    expect(boxUrl("2021-09-03T10:44:41Z INF |  https://api.trycloudflare.com  |")).toBeUndefined();
    expect(failureHint([error])).toMatch(/offline/);
  });

  it("splits chunks into whole lines, however the chunks fall", () => {
    const lines: string[] = [];
    const splitter = lineSplitter((line) => lines.push(line));
    splitter.push("2021 INF |  https://a-b.trycl");
    splitter.push("oudflare.com  |\r\nnext");
    splitter.end();
    expect(lines).toEqual(["2021 INF |  https://a-b.trycloudflare.com  |", "next"]);
    expect(boxUrl(lines[0] as string)).toBe("https://a-b.trycloudflare.com");
  });
});
