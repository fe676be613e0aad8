import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CliProcess } from "../helpers/cli.js";
import { linesOf, SECRET, startListen, workDir } from "./helpers.js";

const ISO = "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z";

/** The ready block says what is true: the address bound, who can reach it, what is verified, where --save writes. */
describe("hook listen's ready block", () => {
  let work: ReturnType<typeof workDir>;
  let proc: CliProcess | undefined;
  beforeEach(() => {
    work = workDir();
  });
  afterEach(async () => {
    await proc?.stop("SIGKILL");
    proc = undefined;
    work.remove();
  });

  /** The block's lines, once `last` (its final line) has arrived. */
  const ready = async (args: string[], last: RegExp) => {
    proc = new CliProcess(["listen", "--port", "0", "--no-tunnel", ...args], { cwd: work.dir });
    await proc.waitFor(last);
    return proc.stderr;
  };

  it("--host 0.0.0.0 says every interface, reachable from the network, and how to reach it here", async () => {
    const text = await ready(
      ["--host", "0.0.0.0", "--provider", "stripe", "--secret", SECRET, "--save", "caught"],
      /saving every request to .*\n/,
    );
    expect(text).toMatch(
      /ready {2}listening on http:\/\/0\.0\.0\.0:\d+ \(every interface: reachable from the network\)/,
    );
    expect(text).toMatch(/on this machine: http:\/\/127\.0\.0\.1:\d+/);
    expect(text).toContain("verifying stripe signatures");
    expect(text).toContain(`saving every request to ${join(work.dir, "caught")}`);
  });

  it("the default bind says this machine only, and without --provider that nothing is verified", async () => {
    const text = await ready([], /not verifying signatures.*\n/);
    expect(text).toMatch(/listening on http:\/\/127\.0\.0\.1:\d+ \(this machine only\)/);
    expect(text).not.toContain("on this machine:");
    expect(text).toContain("not verifying signatures (no --provider)");
  });

  it("every line carries an ISO timestamp when stderr is a file or a pipe", async () => {
    const text = await ready([], /not verifying signatures.*\n/);
    for (const line of text.trim().split("\n")) expect(line).toMatch(new RegExp(`^${ISO} `));
  });

  it("--json's ready object carries the bound host, the port, the provider and the save folder", async () => {
    const listen = await startListen(
      ["--host", "0.0.0.0", "--provider", "stripe", "--secret", SECRET, "--save", "caught"],
      {
        cwd: work.dir,
      },
    );
    proc = listen.proc;
    expect(linesOf(listen.proc, "ready")[0]).toMatchObject({
      host: "0.0.0.0",
      port: listen.port,
      url: `http://127.0.0.1:${listen.port}`,
      provider: "stripe",
      saveDir: join(work.dir, "caught"),
    });
  });
});
