import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Journal } from "../../src/deliver/journal.js";
import { ROOT } from "../helpers/cli.js";

// `ulimit -f` makes writes past a size come back short or fail with EFBIG: the same path a full disk takes.
const JOURNAL = join(ROOT, "dist/deliver/journal.js");
const LINES = join(ROOT, "dist/deliver/journal-lines.js");

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
    expect(reopened.pending.toArray().map((e) => e.seq)).toEqual([1, 2]);
    expect(reopened.damaged).toBe(0);
    await reopened.journal.close();
  });

  it("does not replace a good journal with a truncated compaction when the disk is full at start", async () => {
    runLimited(dir, fill, 1024);
    const deliver =
      "const { journal } = await Journal.open(process.env.DIR); for (const seq of [1, 2, 3]) journal.delivered(seq); await journal.close();";
    runLimited(dir, deliver, 1024);
    // Mostly history with a reset size of 0, so opening compacts: 27 KB that a 16 KB limit refuses.
    const output = runLimited(
      dir,
      "await Journal.open(process.env.DIR, 0).then(() => console.log('opened'), (e) => console.log('refused', e.code));",
      16,
    );
    expect(output).toMatch(/^refused/);
    const reopened = await Journal.open(join(dir, "data"));
    expect(reopened.pending.toArray().map((e) => e.seq)).toEqual([4]);
    await reopened.journal.close();
  });

  it("a short write of a delivered mark never cuts an accepted line that is waiting for its fsync", async () => {
    // Sized so the second entry ends 10 bytes before the 2 KB limit: its "delivered" mark for #1
    // (18 bytes) fits only in part and is cut back, while #2 sits written but not yet fsynced.
    const script = `
      const { encodeEntry } = await import(${JSON.stringify(LINES)});
      const { journal } = await Journal.open(process.env.DIR);
      const e = (seq, path) => ({ receivedAt: "t", method: "POST", path, headers: [], body: Buffer.alloc(300, seq) });
      await journal.accept(e(1, "/"));
      const first = Buffer.byteLength(encodeEntry({ ...e(1, "/"), seq: 1 }));
      const bare = Buffer.byteLength(encodeEntry({ ...e(2, "/"), seq: 2 }));
      const second = journal.accept(e(2, "/" + "x".repeat(2048 - 10 - first - bare)));
      journal.delivered(1);
      console.log(JSON.stringify(await second.then(() => "ok 2", (error) => "rejected 2: " + error.message)));
      await journal.close();`;
    const output = runLimited(dir, script, 2);
    expect(JSON.parse(output)).toBe("ok 2");
    const reopened = await Journal.open(join(dir, "data"));
    // #1's mark was lost (a redelivery, never a loss); #2 was acknowledged, so it must be there.
    expect(reopened.pending.toArray().map((e) => e.seq)).toEqual([1, 2]);
    expect(reopened.damaged).toBe(0);
    await reopened.journal.close();
  });
});
