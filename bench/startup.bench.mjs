// Start-up cost of the CLI: `hook --help` and `hook --version` against a bare `node -e 0`, median of
// RUNS runs each, interleaved so that a busy moment on a shared machine hits all three alike.
// The goal is <= 1.3x: commands are lazily imported, so start-up should load commander and little else.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const RUNS = Number(process.env.RUNS ?? 30);
const bin = fileURLToPath(new URL("../bin/hook.js", import.meta.url));
const cases = {
  "node -e 0": ["-e", "0"],
  "hook --version": [bin, "--version"],
  "hook --help": [bin, "--help"],
};

function timeOnce(args) {
  const start = process.hrtime.bigint();
  const result = spawnSync(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"] });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0)
    throw new Error(`node ${args.join(" ")} exited ${result.status}: ${result.stderr}`);
  return ms;
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

const samples = Object.fromEntries(Object.keys(cases).map((name) => [name, []]));
for (const args of Object.values(cases)) timeOnce(args); // warm the file cache
for (let i = 0; i < RUNS; i++) {
  for (const [name, args] of Object.entries(cases)) samples[name].push(timeOnce(args));
}

const base = median(samples["node -e 0"]);
console.log(`start-up, median of ${RUNS} runs (goal: <= 1.30x node -e 0)`);
console.log("case              median ms   ratio");
for (const [name, values] of Object.entries(samples)) {
  const m = median(values);
  const flag = name === "node -e 0" ? "" : m / base <= 1.3 ? "  ok" : "  over goal";
  console.log(`${name.padEnd(16)}  ${m.toFixed(1).padStart(9)}   ${(m / base).toFixed(2)}x${flag}`);
}
