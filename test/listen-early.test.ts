import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { connect, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { abandonUnclaimed, bindBeforeParsing, claimEarlyReceiver } from "../src/commands/listen-early.js";
import { BIN, runCli } from "./helpers/cli.js";
import { MARK_LISTEN, moduleNames, REGISTER } from "./helpers/imports.js";

/**
 * `hook listen` binds its port from bin/hook.js, before commander and the command list load, when the
 * words alone say where (src/commands/listen-early.ts); commander's reading of the same words decides
 * whether listen keeps that port.
 */

const freePort = () =>
  new Promise<number>((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

const accepts = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });

/** The modules `hook listen ...args` loads before its port is bound, once it has printed its ready line. */
async function loadedBeforeListening(args: string[], cwd: string, record: string): Promise<string[]> {
  const child = spawn(process.execPath, ["--import", REGISTER, "--import", MARK_LISTEN, BIN, ...args], {
    cwd,
    env: { PATH: process.env.PATH, RECORD_IMPORTS: record, NO_COLOR: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (d: Buffer) => {
    output += d.toString("utf8");
  });
  child.stderr.on("data", (d: Buffer) => {
    output += d.toString("utf8");
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ready line: ${output}`)), 20_000);
    child.stdout.on("data", () => {
      if (output.includes('"kind":"ready"')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.on("exit", () => reject(new Error(`exited: ${output}`)));
  });
  child.kill("SIGTERM");
  await new Promise((resolve) => child.once("close", resolve));
  const loaded = moduleNames(record);
  return loaded.slice(0, loaded.indexOf("(listen)"));
}

describe("hook listen binds before parsing", () => {
  const dirs: string[] = [];
  const tempDir = () => {
    const dir = mkdtempSync(join(tmpdir(), "hook-early-"));
    dirs.push(dir);
    return dir;
  };
  afterEach(async () => {
    await abandonUnclaimed();
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  const listen = (dir: string) => [
    "listen",
    "--no-tunnel",
    "--no-inspect",
    "--port",
    "0",
    "--json",
    "--data-dir",
    dir,
  ];

  it("from bin/hook.js: neither commander's program nor the command list loads before the port", async () => {
    const dir = tempDir();
    const before = await loadedBeforeListening(listen(dir), dir, join(dir, "imports.txt"));
    expect(before).toContain("dist/commands/listen-early.js");
    expect(before).toContain("dist/receive/server.js");
    expect(before.filter((m) => /^dist\/(cli|commands\/program|commands\/listen)\.js$/.test(m))).toEqual([]);
  });

  // A config file that may set where it binds is read by commander first; listen binds after parsing.
  it.each([
    [{ listen: { "max-body": "1mb" } }],
    [{ listen: { maxBody: "1mb" } }],
    [{ listen: { port: "0" } }],
    [{ listen: { host: "127.0.0.1" } }],
  ])("beside a config file that may decide the bind (%j), commander parses first", async (config) => {
    const dir = tempDir();
    writeFileSync(join(dir, "hook.config.json"), JSON.stringify(config));
    const before = await loadedBeforeListening(listen(dir), dir, join(dir, "imports.txt"));
    expect(before).toContain("dist/commands/program.js");
  });

  it("beside a broken config file, commander reports it", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, "hook.config.json"), JSON.stringify({ nosuchcommand: {} }));
    const result = await runCli(listen(dir), { cwd: dir, timeoutMs: 15_000 });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('unknown section "nosuchcommand"');
  });

  it("beside a config file that leaves the bind alone, it binds first", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, "hook.config.json"), JSON.stringify({ listen: { timeout: "5s" }, poll: {} }));
    const before = await loadedBeforeListening(listen(dir), dir, join(dir, "imports.txt"));
    expect(before).toContain("dist/receive/server.js");
    expect(before.filter((m) => /^dist\/(cli|commands\/program)\.js$/.test(m))).toEqual([]);
  });

  // --secret env:NAME is resolved after parsing, before listen runs: the bound port must not keep the process.
  it("a usage error after the early bind closes the port and exits 2", async () => {
    const result = await runCli([...listen(tempDir()), "--secret", "env:HOOK_TEST_UNSET"], {
      timeoutMs: 15_000,
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("HOOK_TEST_UNSET");
  });

  it("commander reading another --port, --host or --max-body closes the early port", async () => {
    const port = await freePort();
    await bindBeforeParsing(["--port", String(port)], tempDir());
    await expect.poll(() => accepts(port)).toBe(true);
    const claimed = await claimEarlyReceiver({ port: String(port), host: "localhost", maxBody: "10mb" });
    expect(claimed).toBeUndefined();
    expect(await accepts(port)).toBe(false);
  });

  it("the same reading keeps it", async () => {
    const port = await freePort();
    await bindBeforeParsing(["-p", String(port), "--max-body=2mb", "--debug"], tempDir());
    const claimed = await claimEarlyReceiver({ port: String(port), host: "127.0.0.1", maxBody: "2mb" });
    expect(claimed?.port).toBe(port);
    expect(claimed?.maxBody).toBe(2 * 1024 * 1024);
    await claimed?.abandon();
  });

  it.each([["--help"], ["-h"], ["--version"], ["--config", "x.json"], ["--no-such-flag"], ["stray"]])(
    "binds nothing for %s (commander decides)",
    async (...words) => {
      await bindBeforeParsing(words, tempDir());
      expect(await claimEarlyReceiver({ port: "4665", host: "127.0.0.1", maxBody: "10mb" })).toBeUndefined();
    },
  );
});
