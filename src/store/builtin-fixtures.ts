import { existsSync, readdirSync } from "node:fs";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import { UsageError } from "../errors.js";
import { type LoadedFixture, listJsonFiles, readFixtureFile } from "./fixture-reader.js";

/**
 * The samples that ship with the package. Found from this module's own location (dist/store/ or
 * src/store/, both two levels below the package root), never from the working folder: `hook trigger`
 * must work from anywhere after `npm install -g`.
 */
export function builtinDir(): string {
  return fileURLToPath(new URL("../../fixtures/", import.meta.url));
}

export interface BuiltinSample {
  provider: string;
  /** The event as `hook trigger` accepts it: the fixture's "event", e.g. "orders/create". */
  event: string;
  /** The file name without .json, also accepted by `hook trigger`. */
  name: string;
  file: string;
  fixture: LoadedFixture;
}

export function builtinProviders(dir = builtinDir()): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
}

/** Every built-in sample (of one provider, or all), in provider then file-name order. */
export function builtinSamples(provider?: string, dir = builtinDir()): BuiltinSample[] {
  const providers = provider ? [provider.toLowerCase()] : builtinProviders(dir);
  const samples: BuiltinSample[] = [];
  for (const name of providers) {
    const folder = join(dir, name);
    if (!existsSync(folder)) continue;
    for (const file of listJsonFiles(folder)) {
      const fixture = readFixtureFile(file, dir);
      if ("reason" in fixture || fixture.bare) continue;
      const stem = basename(file, ".json");
      samples.push({ provider: name, event: fixture.event ?? stem, name: stem, file, fixture });
    }
  }
  return samples;
}

/** The sample `hook trigger PROVIDER EVENT` means; unknown ones list what there is (exit 2). */
export function findBuiltin(provider: string, event: string, dir = builtinDir()): BuiltinSample {
  const providers = builtinProviders(dir);
  if (!providers.includes(provider.toLowerCase())) {
    throw new UsageError(
      `no built-in samples for provider "${provider}"`,
      `samples exist for: ${providers.join(", ")}; for others, save one with \`hook listen --save\` and use \`hook replay\``,
    );
  }
  const samples = builtinSamples(provider, dir);
  const wanted = event.toLowerCase();
  const found = samples.find((s) => s.event.toLowerCase() === wanted || s.name.toLowerCase() === wanted);
  if (found) return found;
  throw new UsageError(
    `no built-in ${provider} sample for event "${event}"`,
    `available: ${samples.map((s) => s.event).join(", ")} (see \`hook fixtures ${provider}\`)`,
  );
}
