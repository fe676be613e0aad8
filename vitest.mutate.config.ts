import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { defineConfig } from "vitest/config";

// Stryker switches mutants on inside the test process, so only tests that run `src/` in process can
// kill one: a test that spawns the built CLI (directly or through a helper) only slows the dry run
// down and cannot see a mutant. The list is worked out from the files and what they import, so a new
// in-process test counts without anyone editing this file.
const SPAWNS = /helpers\/(cli|pty)\.js|bin\/hook\.js|playwright-core|dist\//;
const NOT_CODE = /^test\/(docs|package|setup)\//;

function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return testFiles(path);
    return entry.name.endsWith(".test.ts") && !entry.name.endsWith(".live.test.ts") ? [path] : [];
  });
}

const seen = new Map<string, boolean>();
/** True when the file, or a test helper it imports, runs the built CLI. */
function spawnsCli(file: string): boolean {
  const known = seen.get(file);
  if (known !== undefined) return known;
  seen.set(file, false);
  const text = readFileSync(file, "utf8");
  const helpers = [...text.matchAll(/from "(\.[^"]+)"/g)]
    .map((m) => resolve(dirname(file), (m[1] as string).replace(/\.js$/, ".ts")))
    .filter((path) => path.includes("/test/") && existsSync(path));
  const result = SPAWNS.test(text) || helpers.some(spawnsCli);
  seen.set(file, result);
  return result;
}

export default defineConfig({
  test: {
    include: testFiles("test").filter((file) => !NOT_CODE.test(file) && !spawnsCli(file)),
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: "forks",
  },
});
