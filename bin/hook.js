#!/usr/bin/env node
// `hook --version` and the help screens are answered before the CLI loads (commander and all): a
// script that asks pays for nothing else (test/startup.test.ts, bench/startup.bench.mjs). The help
// comes from dist/help.json, rendered by commander at build time; any doubt, and commander prints it.
// `hook listen` binds its port first when the words alone say where (dist/commands/listen-early.js).
const words = process.argv.slice(2);
if (words.length === 1 && (words[0] === "--version" || words[0] === "-v")) {
  const { readFileSync } = await import("node:fs");
  const { version } = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
  process.stdout.write(`${version}\n`);
} else {
  const { printPrebuiltHelp } = await import("../dist/commands/program-help.js");
  if (!printPrebuiltHelp(words, process.cwd(), process.stdout)) {
    const early = words[0] === "listen" ? await import("../dist/commands/listen-early.js") : undefined;
    await early?.bindBeforeParsing(words.slice(1), process.cwd());
    const { run } = await import("../dist/cli.js");
    await run(process.argv);
    await early?.abandonUnclaimed();
  }
}
