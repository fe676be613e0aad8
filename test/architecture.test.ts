import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { unusedExports } from "./helpers/unused-exports.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const src = join(root, "src");

/** Relative imports of every src/**.ts file, type-only and dynamic included: a cycle of types is still a cycle. */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  const files = readdirSync(src, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".ts"));
  const pattern = /(?:\bfrom\s+|\bimport\s*\(\s*|\bimport\s+)"(\.[^"]+)"/g;
  for (const file of files) {
    const text = readFileSync(join(src, file), "utf8");
    const targets = [...text.matchAll(pattern)].map((m) =>
      relative(src, resolve(dirname(join(src, file)), (m[1] as string).replace(/\.js$/, ".ts"))),
    );
    graph.set(file, targets);
  }
  return graph;
}

/** Depth-first search; returns each cycle found as the path that closes it. */
function cycles(graph: Map<string, string[]>): string[][] {
  const found: string[][] = [];
  const state = new Map<string, "open" | "done">();
  const visit = (node: string, path: string[]): void => {
    if (state.get(node) === "done") return;
    if (state.get(node) === "open") {
      found.push([...path.slice(path.indexOf(node)), node]);
      return;
    }
    state.set(node, "open");
    for (const next of graph.get(node) ?? []) visit(next, [...path, node]);
    state.set(node, "done");
  };
  for (const node of graph.keys()) visit(node, []);
  return found;
}

/**
 * Exports that work on other branches, not merged yet, imports or owns: an entry can go once that work
 * is on main, where the check above sees the import (or the export is gone) by itself.
 */
const AWAITED = [
  // mut-replay's tests, not all on main yet.
  "src/receive/pipeline.ts: PipelineOptions",
  "src/replay/build.ts: BuildInput",
  "src/replay/build.ts: targetUrl",
  "src/replay/event-id.ts: freshEventId",
  "src/replay/report.ts: junitXml",
  "src/replay/report.ts: xmlEscape",
  "src/replay/run.ts: ReplayPlan",
];

describe("architecture", () => {
  it("src/ has no import cycles, type-only imports included", () => {
    const graph = importGraph();
    expect(graph.size).toBeGreaterThan(50);
    expect(cycles(graph).map((cycle) => cycle.join(" -> "))).toEqual([]);
  });

  it("every export of src/ is imported by another file (src/index.ts is the library's API and keeps all)", () => {
    // cli.ts is left out while its options are retyped on another branch (issue 12).
    const unused = unusedExports(root, ["src/index.ts", "src/cli.ts"]);
    expect(unused.filter((entry) => !AWAITED.includes(entry))).toEqual([]);
  });
});
