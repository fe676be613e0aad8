import { UsageError } from "../errors.js";
import { withEventId } from "../replay/event-id.js";
import { findBuiltin } from "../store/builtin-fixtures.js";
import type { Io } from "../ui/io.js";
import { replaySettings, sendFixtures } from "./replay.js";
import type { TriggerOptions } from "./replay-flags.js";

/**
 * hook trigger PROVIDER EVENT --to URL: the built-in sample, freshly signed, through replay. Each run
 * is a new event (a fresh event id, and delivery id), so an app that de-duplicates takes it; `--id`
 * sends a chosen one, and `--repeat N` sends the same one N times on purpose.
 */
export async function triggerCommand(args: string[], options: TriggerOptions, io: Io): Promise<number> {
  const [provider, event] = args;
  if (!provider || !event) throw new UsageError("trigger needs PROVIDER and EVENT", "see `hook fixtures`");
  const settings = replaySettings(options);
  const sample = findBuiltin(provider, event);
  const { id } = options;
  if (id !== undefined && id.trim() === "")
    throw new UsageError("--id: empty", "for example --id evt_test_1");
  // `hook trigger svix …` sends standard's samples, signed the Svix way; --provider still wins.
  const signer = (options.provider ?? provider).toLowerCase();
  const fixture = withEventId(sample.fixture, signer, id);
  const signed = signer === sample.fixture.provider ? options : { ...options, provider: signer };
  return sendFixtures([fixture], signed, io, settings, "hook trigger");
}
