#!/usr/bin/env node
// `hook --version` is answered before the CLI loads (commander and all): a script that asks pays for
// nothing else (test/startup.test.ts, bench/startup.bench.mjs).
const words = process.argv.slice(2);
if (words.length === 1 && (words[0] === "--version" || words[0] === "-v")) {
  const { readFileSync } = await import("node:fs");
  const { version } = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
  process.stdout.write(`${version}\n`);
} else {
  const { run } = await import("../dist/cli.js");
  run(process.argv);
}
