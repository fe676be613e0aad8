import type { CommandOptions } from "../cli.js";
import { UsageError } from "../errors.js";
import { findBuiltin } from "../store/builtin-fixtures.js";
import type { Io } from "../ui/io.js";
import { replaySettings, sendFixtures } from "./replay.js";

/** hook trigger PROVIDER EVENT --to URL: the built-in sample, freshly signed, through replay. */
export async function triggerCommand(args: string[], options: CommandOptions, io: Io): Promise<number> {
  const [provider, event] = args;
  if (!provider || !event) throw new UsageError("trigger needs PROVIDER and EVENT", "see `hook fixtures`");
  const settings = replaySettings(options);
  const sample = findBuiltin(provider, event);
  return sendFixtures([sample.fixture], options, io, settings, "hook trigger");
}
