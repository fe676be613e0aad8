// The build (`npm run build`, and the test setup's rebuild when src/ is newer): tsc into dist/, then
// every help screen rendered through commander into dist/help.json, which bin/hook.js prints without
// loading commander (src/commands/program-help.ts). test/help-screens.test.ts fails if they disagree.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
execFileSync(process.execPath, [tsc, "-p", "tsconfig.build.json"], { cwd: root, stdio: "inherit" });

const { renderHelpScreens } = await import("../dist/commands/program-render.js");
// An empty directory: no hook.config.json around to be read (and rejected) while rendering.
const cwd = mkdtempSync(join(tmpdir(), "hook-build-help-"));
try {
  const help = await renderHelpScreens(cwd);
  writeFileSync(join(root, "dist/help.json"), `${JSON.stringify(help)}\n`);
} finally {
  rmSync(cwd, { recursive: true, force: true });
}
