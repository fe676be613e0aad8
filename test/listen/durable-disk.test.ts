import { spawn } from "node:child_process";
import { chmodSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BIN, type CliProcess, runCli } from "../helpers/cli.js";
import { Target } from "../helpers/target.js";
import { startListen, waitForLines, workDir } from "./helpers.js";

/** `hook ...args` under `ulimit -f KB`: writes past that size fail as on a full disk. */
function limited(kb: number, args: string[], cwd: string) {
  return spawn("bash", ["-c", `ulimit -f ${kb}; exec "${process.execPath}" "${BIN}" "$@"`, "hook", ...args], {
    cwd,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
}

function outcome(child: ReturnType<typeof limited>) {
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (d) => {
    stdout += d;
  });
  child.stderr?.on("data", (d) => {
    stderr += d;
  });
  return {
    output: () => ({ stdout, stderr }),
    exit: new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code))),
  };
}

describe("hook listen --durable when the data dir fails it", () => {
  let work: ReturnType<typeof workDir>;
  let target: Target;
  const running: CliProcess[] = [];
  beforeEach(async () => {
    work = workDir();
    target = await new Target().start();
  });
  afterEach(async () => {
    for (const p of running.splice(0)) await p.stop("SIGKILL");
    await target.close();
    work.remove();
  });

  const args = () => ["listen", "--no-tunnel", "--port", "0", "--durable", "--forward-to", target.url];

  it("cannot start, exit 3, when the journal cannot be opened", async () => {
    mkdirSync(join(work.dir, ".hook", "outbox.ndjson"), { recursive: true });
    const result = await runCli(args(), { cwd: work.dir });
    expect(result.stderr).toMatch(/^hook: listen: .*outbox\.ndjson/m);
    expect(result.code).toBe(3);
  });

  it("cannot start, exit 3, when the data dir takes no bytes at all (a full disk)", async () => {
    const run = outcome(limited(0, args(), work.dir));
    expect(await run.exit).toBe(3);
    expect(run.output().stderr).toMatch(/^hook: listen: /m);
  });

  it.skipIf(process.getuid?.() === 0)("cannot start, exit 3, on a read-only data dir", async () => {
    mkdirSync(join(work.dir, ".hook"));
    chmodSync(join(work.dir, ".hook"), 0o500);
    const result = await runCli(args(), { cwd: work.dir });
    chmodSync(join(work.dir, ".hook"), 0o700);
    expect(result.code).toBe(3);
  });

  it("answers 500 (not stored) when the journal write fails, and the next start delivers only what got a 202", async () => {
    target.respond = () => ({ status: 503 });
    const child = limited(64, ["listen", "--json", ...args().slice(1)], work.dir);
    const run = outcome(child);
    const port = await new Promise<number>((resolve, reject) => {
      const check = () => {
        const match = /"kind":"ready"[^\n]*"port":(\d+)/.exec(run.output().stdout);
        if (match) resolve(Number(match[1]));
      };
      child.stdout?.on("data", check);
      child.on("close", () => reject(new Error(run.output().stderr)));
    });
    const answers: { status: number; body: string }[] = [];
    for (let n = 1; n <= 5; n += 1) {
      const body = JSON.stringify({ id: `evt_${n}`, type: "t", pad: "x".repeat(20_000) });
      const response = await fetch(`http://127.0.0.1:${port}/`, { method: "POST", body });
      answers.push({ status: response.status, body: await response.text() });
    }
    child.kill("SIGKILL");
    await run.exit;
    const statuses = answers.map((a) => a.status);
    expect(statuses.slice(0, 2)).toEqual([202, 202]);
    expect(statuses).toContain(500);
    const refused = answers.find((a) => a.status === 500);
    expect(JSON.parse(refused?.body ?? "{}")).toMatchObject({ error: "not stored" });
    expect(refused?.body).toMatch(/could not write the outbox/);
    // No 202 after the first 500 here: the limit only grows tighter.
    const accepted = statuses.filter((s) => s === 202).length;
    target.respond = () => ({ status: 200 });
    const again = await startListen(args().slice(1), { cwd: work.dir });
    running.push(again.proc);
    await waitForLines(again.proc, "delivery", accepted, 20_000, (d) => d.ok === true);
    const ids = target.received
      .filter((r) => r.headers["content-length"])
      .map((r) => JSON.parse(r.body.toString()).id);
    expect([...new Set(ids)].slice(-accepted)).toEqual(
      Array.from({ length: accepted }, (_, i) => `evt_${i + 1}`),
    );
  });
});
