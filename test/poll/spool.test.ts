import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Spool } from "../../src/poll/spool.js";
import { tempDir } from "./helpers/run-pass.js";

describe("poll spool", () => {
  it("gives pages back oldest first: the last page first, each page's lines reversed", () => {
    const spool = new Spool(join(tempDir(), "s.spool"));
    spool.push(["c", "b", "a"]);
    spool.push([]);
    spool.push(['{"note":"naïve ☕"}', "d"]);
    expect(spool.count).toBe(2);
    expect([...spool.oldestFirst()]).toEqual([
      ["d", '{"note":"naïve ☕"}'],
      ["a", "b", "c"],
    ]);
    // It can be read again: nothing is consumed.
    expect([...spool.oldestFirst()].flat()).toHaveLength(5);
    spool.close();
  });

  it("an empty spool yields nothing", () => {
    const spool = new Spool(join(tempDir(), "s.spool"));
    spool.push([]);
    expect([...spool.oldestFirst()]).toEqual([]);
    spool.close();
  });

  it("leaves no file behind while open, and closing never removes a file someone else made there", () => {
    const path = join(tempDir(), "s.spool");
    const spool = new Spool(path);
    spool.push(["a"]);
    expect(existsSync(path)).toBe(false);
    // The next run's spool (or anything else) may take the name: it is not ours any more.
    writeFileSync(path, "someone else's");
    spool.close();
    expect(readFileSync(path, "utf8")).toBe("someone else's");
  });

  it.skipIf(!existsSync("/proc/self/fd"))("closing releases its descriptor", () => {
    const dir = tempDir();
    const open = () => readdirSync("/proc/self/fd").length;
    const before = open();
    for (let i = 0; i < 20; i += 1) new Spool(join(dir, `s${i}.spool`)).close();
    expect(open()).toBe(before);
  });
});
