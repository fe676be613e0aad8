import type { CommandOptions } from "../cli.js";
import { getProvider, providerNames } from "../providers/index.js";
import type { Io } from "../ui/io.js";
import { Output } from "../ui/output.js";
import { formatDuration } from "../units.js";

export async function providersCommand(_args: string[], options: CommandOptions, io: Io): Promise<number> {
  const out = new Output(io, options);
  const rows = providerNames().map((name) => {
    const provider = getProvider(name);
    return {
      name,
      summary: provider.summary,
      headers: [...provider.signatureHeaders],
      timeout: formatDuration(provider.timeoutMs),
      handshake: provider.handshake !== undefined,
    };
  });
  if (out.json) {
    for (const row of rows) out.data("provider", row);
    return 0;
  }
  const width = Math.max(...rows.map((r) => r.name.length));
  for (const row of rows) {
    io.stdout.write(`${out.color.bold(row.name.padEnd(width))}  ${row.summary}\n`);
    if (row.headers.length > 0)
      io.stdout.write(
        `${" ".repeat(width)}  ${out.color.dim(`headers: ${row.headers.join(", ")}; answers within ${row.timeout}${row.handshake ? "; answers its handshake" : ""}`)}\n`,
      );
  }
  return 0;
}
