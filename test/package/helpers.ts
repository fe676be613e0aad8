import { execFile } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { ROOT } from "../helpers/cli.js";

const run = promisify(execFile);

export interface Packed {
  tarball: string;
  files: string[];
}

/**
 * `npm pack` of this worktree, as npm would publish it. Scripts are skipped: vitest's global setup
 * has just built dist/, and a second build here would rewrite dist/ under the other test files' feet.
 */
export async function pack(dest: string): Promise<Packed> {
  const { stdout } = await run("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", dest], {
    cwd: ROOT,
    timeout: 60_000,
  });
  const [info] = JSON.parse(stdout) as { filename: string; files: { path: string }[] }[];
  if (!info) throw new Error(`npm pack printed no package: ${stdout}`);
  return { tarball: join(dest, info.filename), files: info.files.map((f) => f.path) };
}

/**
 * Installs the tarball into an empty project, offline. This machine reaches no registry in tests, so
 * the runtime dependencies come from npm's cache at the versions this repository's lock file pins
 * (a lock file for the new project is derived from ours: the same packages a user of this commit
 * gets); without a lock file npm would need the registry's package documents, which are not cached.
 */
export async function installInto(project: string, tarball: string): Promise<void> {
  const ours = JSON.parse(readFileSync(join(ROOT, "package-lock.json"), "utf8"));
  const manifest = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));
  const spec = `file:${tarball}`;
  const packages: Record<string, unknown> = {
    "": { name: "consumer", dependencies: { [manifest.name]: spec } },
    [`node_modules/${manifest.name}`]: {
      version: manifest.version,
      resolved: spec,
      license: manifest.license,
      dependencies: manifest.dependencies,
      bin: manifest.bin,
      engines: manifest.engines,
    },
  };
  for (const [path, entry] of Object.entries(ours.packages as Record<string, { dev?: boolean }>)) {
    if (path !== "" && !entry.dev) packages[path] = entry;
  }
  const pkg = { name: "consumer", private: true, type: "module", dependencies: { [manifest.name]: spec } };
  writeFileSync(join(project, "package.json"), JSON.stringify(pkg, null, 2));
  writeFileSync(
    join(project, "package-lock.json"),
    JSON.stringify({ name: "consumer", lockfileVersion: 3, requires: true, packages }, null, 2),
  );
  await run("npm", ["ci", "--offline", "--ignore-scripts", "--no-audit", "--no-fund"], {
    cwd: project,
    timeout: 120_000,
  });
}
