/**
 * Vitest global setup: many tests spawn the built CLI (`bin/hook.js` -> `dist/`). A single-file run
 * after editing `src/` would otherwise test old code without a word, so `dist/` is rebuilt here
 * whenever any file under `src/` (or a tsconfig) is newer than the last build.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../..", import.meta.url));

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    const mtime = entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs;
    if (mtime > newest) newest = mtime;
  }
  return newest;
}

/** True when dist/ is missing or older than its sources. */
export function distIsStale(projectRoot: string): boolean {
  const stamp = join(projectRoot, "dist", ".build-stamp");
  if (!existsSync(stamp)) return true;
  const built = statSync(stamp).mtimeMs;
  const sources = Math.max(
    newestMtime(join(projectRoot, "src")),
    statSync(join(projectRoot, "tsconfig.json")).mtimeMs,
    statSync(join(projectRoot, "tsconfig.build.json")).mtimeMs,
  );
  return sources > built;
}

/** Builds dist/ and records when, so the next run can tell whether it is current. */
export function buildDist(projectRoot: string): void {
  const started = new Date();
  // `npm run build`'s script: tsc, then the help screens bin/hook.js prints (test/help-screens.test.ts).
  execFileSync(process.execPath, ["scripts/build.mjs"], { cwd: projectRoot, stdio: "inherit" });
  const stamp = join(projectRoot, "dist", ".build-stamp");
  writeFileSync(stamp, `${started.toISOString()}\n`);
  // The stamp carries the time the build *started*: a source saved during the build stays newer.
  utimesSync(stamp, started, started);
}

export default function setup(): void {
  if (distIsStale(root)) buildDist(root);
}
