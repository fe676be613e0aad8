import { existsSync, readdirSync, realpathSync } from "node:fs";
import { basename, dirname, isAbsolute, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { UsageError } from "../errors.js";
import { providerNames } from "../providers/index.js";
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

/** The providers with samples: a folder that is not named after a provider is not a sample folder. */
export function builtinProviders(dir = builtinDir()): string[] {
  if (!existsSync(dir)) return [];
  const known = new Set(providerNames());
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && known.has(entry.name))
    .map((entry) => entry.name)
    .sort();
}

/**
 * A folder the user asked hook to write captured webhooks into (`listen --save`), refused when it
 * lies inside the built-in samples: those ship in the package, and captured webhooks hold customer
 * data. Running from a clone of hook makes `--save fixtures/...` look natural; it must go elsewhere.
 */
export function saveFolder(dir: string, cwd: string, flag = "--save", samples = builtinDir()): string {
  const target = resolve(cwd, dir);
  const inside = relative(realOrSelf(samples), realOrSelf(target));
  if (inside === "" || (!inside.startsWith("..") && !isAbsolute(inside))) {
    throw new UsageError(
      `${flag}: ${dir} is inside hook's built-in samples (${samples}), which ship in the package`,
      "save captured webhooks somewhere else, for example --save captures",
    );
  }
  return target;
}

/** The real path of a folder, or of its nearest existing parent with the rest appended. */
function realOrSelf(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    const parent = dirname(path);
    return parent === path ? path : join(realOrSelf(parent), basename(path));
  }
}

/**
 * Providers that send what another one sends, under other header names: Svix is Standard Webhooks
 * with svix-* headers, so its samples are standard's (signed the svix way when asked for svix).
 */
const SAME_EVENTS_AS: Record<string, string> = { svix: "standard" };

/** The sample folder for a provider name, or undefined when it has none. */
export function samplesFolder(provider: string, dir = builtinDir()): string | undefined {
  const name = provider.toLowerCase();
  const folder = SAME_EVENTS_AS[name] ?? name;
  return builtinProviders(dir).includes(folder) ? folder : undefined;
}

/** Every built-in sample (of one provider, or all), in provider then file-name order. */
export function builtinSamples(provider?: string, dir = builtinDir()): BuiltinSample[] {
  const folder = provider ? samplesFolder(provider, dir) : undefined;
  const providers = provider ? (folder ? [folder] : []) : builtinProviders(dir);
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
  if (!samplesFolder(provider, dir)) {
    const providers = builtinProviders(dir);
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
