import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Journal } from "../../src/deliver/journal.js";
import { ROOT } from "../helpers/cli.js";

// `ulimit -f` makes writes past a size come back short or fail with EFBIG: the same path a full disk takes.
const JOURNAL = join(ROOT, "dist/deliver/journal.js");

function runLimited(dir: string, script: string, kb: number): string {
  const file = join(dir, "script.mjs");
  writeFileSync(file, `const { Journal } = await import(${JSON.stringify(JOURNAL)});\n${script}`);
  const result = spawnSync("bash", ["-c", `ulimit -f ${kb}; exec "${process.execPath}" "${file}"`], {
    encoding: "utf8",
    env: { ...process.env, DIR: join(dir, "data") },
  });
  return `${result.stdout}${result.stderr}`;
}

describe("the durable journal on a full disk", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "hook-full-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const fill = `
    const { journal } = await Journal.open(process.env.DIR);
    const out = [];
    for (let n = 1; n <= 4; n++) {
      try {
        const e = await journal.accept({ receivedAt: "t", method: "POST", path: "/", headers: [], body: Buffer.alloc(20000, n) });
        out.push("ok " + e.seq);
      } catch (error) { out.push("rejected"); }
    }
    console.log(JSON.stringify(out));`;

  it("acknowledges nothing it could not write whole, and leaves no torn line behind", async () => {
    const output = runLimited(dir, fill, 64);
    expect(JSON.parse(output)).toEqual(["ok 1", "ok 2", "rejected", "rejected"]);
    const reopened = await Journal.open(join(dir, "data"));
    expect(reopened.pending.map((e) => e.seq)).toEqual([1, 2]);
    expect(reopened.damaged).toBe(0);
    await reopened.journal.close();
  });

  it("does not replace a good journal with a truncated compaction when the disk is full at start", async () => {
    runLimited(dir, fill, 1024);
    const output = runLimited(
      dir,
      "await Journal.open(process.env.DIR).then(() => console.log('opened'), (e) => console.log('refused', e.code));",
      16,
    );
    expect(output).toMatch(/^refused/);
    const reopened = await Journal.open(join(dir, "data"));
    expect(reopened.pending.map((e) => e.seq)).toEqual([1, 2, 3, 4]);
    await reopened.journal.close();
  });
});
