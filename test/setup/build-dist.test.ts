import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { distIsStale } from "./build-dist.js";

describe("the dist/ freshness check of the test setup", () => {
  let dir: string;
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function project(): string {
    dir = mkdtempSync(join(tmpdir(), "hook-dist-"));
    mkdirSync(join(dir, "src", "deep"), { recursive: true });
    mkdirSync(join(dir, "dist"));
    for (const f of ["tsconfig.json", "tsconfig.build.json", "src/deep/a.ts"])
      writeFileSync(join(dir, f), "");
    return dir;
  }
  const at = (path: string, seconds: number) => utimesSync(path, seconds, seconds);

  it("is stale without a build stamp", () => {
    expect(distIsStale(project())).toBe(true);
  });

  it("is fresh when the stamp is newer than every source, stale when a nested source is newer", () => {
    const root = project();
    for (const f of ["tsconfig.json", "tsconfig.build.json", "src/deep/a.ts"]) at(join(root, f), 1000);
    writeFileSync(join(root, "dist/.build-stamp"), "");
    at(join(root, "dist/.build-stamp"), 2000);
    expect(distIsStale(root)).toBe(false);
    at(join(root, "src/deep/a.ts"), 3000);
    expect(distIsStale(root)).toBe(true);
    at(join(root, "src/deep/a.ts"), 1000);
    at(join(root, "tsconfig.build.json"), 3000);
    expect(distIsStale(root)).toBe(true);
  });
});
