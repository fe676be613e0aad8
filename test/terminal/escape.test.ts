import { writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { Target } from "../helpers/target.js";
import { startListen, waitForLines, workDir } from "../listen/helpers.js";

/** Raw control bytes: ESC (clear screen, set title), BEL, CR, and a C1 CSI. NO_COLOR is set, so hook prints none itself. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding raw control characters is the point
const RAW = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;
const EVIL = "\u001b[2J\u001b]0;pwned\u0007\r\u009b";

describe("text from outside reaches the terminal escaped", () => {
  let work: ReturnType<typeof workDir>;
  let target: Target;
  beforeEach(async () => {
    work = workDir();
    target = await new Target().start();
  });
  afterEach(async () => {
    await target.close();
    work.remove();
  });

  it("a bad fixture's contents in the parse error", async () => {
    const file = join(work.dir, "bad.json");
    writeFileSync(file, `${EVIL} not json`);
    const result = await runCli(["replay", file, "--to", target.url], { cwd: work.dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("bad fixture");
    expect(result.stderr).not.toMatch(RAW);
    expect(result.stderr).toContain("\\x1b[2J");
  });

  it("a fixture's event and the app's answer in replay's lines", async () => {
    target.respond = () => ({ status: 400, body: `${EVIL} no` });
    const file = join(work.dir, "f.json");
    const request = { method: "POST", path: "/", headers: {}, body: "{}" };
    writeFileSync(file, JSON.stringify({ hook: 1, provider: "none", event: `evt${EVIL}`, request }));
    const result = await runCli(["replay", file, "--to", target.url], { cwd: work.dir });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("answer: \\x1b[2J\\x1b]0;pwned\\x07\\r\\x9b no");
    expect(result.stderr).not.toMatch(RAW);
  });

  it("a sender's event type and the app's answer in listen's lines", async () => {
    target.respond = () => ({ status: 500, body: EVIL });
    const listen = await startListen(["--forward-to", target.url], { cwd: work.dir });
    try {
      await fetch(listen.url, { method: "POST", body: JSON.stringify({ type: `x${EVIL}` }) });
      await waitForLines(listen.proc, "request", 1);
    } finally {
      await listen.proc.stop();
    }
    // --json is JSON's own escaping; the human run is the one a terminal shows.
    const human = await startListenHuman(work.dir, target.url);
    expect(human).toContain("x\\x1b[2J");
    expect(human).not.toMatch(RAW);
  });

  it("an API's error body in poll's warnings and errors", async () => {
    const server: Server = createServer((_req, res) => {
      res.writeHead(401, { "content-type": "application/json" });
      res.end(JSON.stringify({ message: `denied${EVIL}` }));
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/events`;
      const result = await runCli(
        [
          "poll",
          "--provider",
          "http",
          "--url",
          url,
          "--items",
          "items",
          "--id",
          "id",
          "-f",
          target.url,
          "--once",
        ],
        { cwd: work.dir },
      );
      expect(result.code).toBe(2);
      expect(result.stderr).toContain("denied\\x1b[2J");
      expect(result.stderr).not.toMatch(RAW);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});

/** hook listen without --json: one request in, its line out. */
async function startListenHuman(cwd: string, forwardTo: string): Promise<string> {
  const { CliProcess } = await import("../helpers/cli.js");
  const proc = new CliProcess(["listen", "--port", "0", "--no-tunnel", "--forward-to", forwardTo], { cwd });
  try {
    const match = await proc.waitFor(/listening on http:\/\/127\.0\.0\.1:(\d+)/);
    await fetch(`http://127.0.0.1:${match[1]}/`, {
      method: "POST",
      body: JSON.stringify({ type: `x${EVIL}` }),
    });
    await proc.waitFor(/-> 500/);
  } finally {
    await proc.stop();
  }
  return proc.stderr;
}
