import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { SeenIds } from "../../src/receive/dedupe.js";

describe("duplicate marking (SeenIds)", () => {
  it("marks an id seen before, by provider, and remembers it across runs", () => {
    const dir = mkdtempSync(join(tmpdir(), "hook-seen-"));
    const seen = new SeenIds(dir);
    expect(seen.check("stripe", ["evt_1", undefined])).toBe(false);
    expect(seen.check("stripe", ["evt_1", undefined])).toBe(true);
    expect(seen.check("github", ["evt_1", undefined])).toBe(false);
    seen.flush();
    expect(new SeenIds(dir).check("stripe", ["evt_1"])).toBe(true);
  });

  it("a request whose event id and delivery id are the same is not its own duplicate", () => {
    const seen = new SeenIds(mkdtempSync(join(tmpdir(), "hook-seen-")));
    expect(seen.check("svix", ["msg_1", "msg_1"])).toBe(false);
    expect(seen.check("svix", ["msg_1", "msg_1"])).toBe(true);
  });

  it("either id seen before makes a duplicate, and the other one is remembered too", () => {
    const seen = new SeenIds(mkdtempSync(join(tmpdir(), "hook-seen-")));
    seen.check("github", [undefined, "delivery-1"]);
    expect(seen.check("github", ["event-1", "delivery-1"])).toBe(true);
    expect(seen.check("github", ["event-1", undefined])).toBe(true);
  });

  it("whitespace in an id becomes _ so the file keeps one id a line", () => {
    const dir = mkdtempSync(join(tmpdir(), "hook-seen-"));
    const seen = new SeenIds(dir);
    seen.check("none", ["a b\nc"]);
    seen.flush();
    expect(readFileSync(join(dir, "seen-ids.txt"), "utf8")).toBe("none a_b_c\n");
    expect(new SeenIds(dir).check("none", ["a b\nc"])).toBe(true);
  });
});
