import { UsageError } from "../errors.js";
import { builtinDir, builtinProviders, builtinSamples, samplesFolder } from "../store/builtin-fixtures.js";
import type { Io } from "../ui/io.js";
import { Output } from "../ui/output.js";
import type { JSON_LINES, OptionsOf } from "./options.js";

/** hook fixtures [PROVIDER]: the built-in samples that `hook trigger` sends. */
export async function fixturesCommand(
  args: string[],
  options: OptionsOf<typeof JSON_LINES>,
  io: Io,
): Promise<number> {
  const out = new Output(io, options);
  const provider = args[0];
  if (provider && !samplesFolder(provider)) {
    throw new UsageError(
      `no built-in samples for provider "${provider}"`,
      `samples exist for: ${builtinProviders().join(", ")}`,
    );
  }
  const samples = builtinSamples(provider);
  const width = Math.max(0, ...samples.map((s) => s.provider.length));
  for (const sample of samples) {
    const { method, path, body } = sample.fixture;
    out.data("fixture", {
      provider: sample.provider,
      event: sample.event,
      id: sample.fixture.id,
      method,
      path,
      bytes: body.length,
      file: sample.file,
    });
    if (!out.json) out.result(`${sample.provider.padEnd(width)}  ${sample.event}`);
  }
  if (!out.json) {
    out.line(out.color.dim(`\n${samples.length} samples in ${builtinDir()}`));
    out.line(out.color.dim("send one: hook trigger PROVIDER EVENT --to URL --secret S"));
  }
  return 0;
}
