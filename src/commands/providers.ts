import { listProviders } from "../providers/index.js";
import type { Provider } from "../providers/types.js";
import { NOT_REGISTRABLE, REGISTRABLE } from "../register/support.js";
import type { Io } from "../ui/io.js";
import { Output } from "../ui/output.js";
import { formatDuration } from "../units.js";
import type { JSON_LINES, OptionsOf } from "./options.js";

/** What a provider needs besides the body, as flags: shown so nobody has to guess. */
const NEEDS: Record<string, string> = {
  twilio: "--url (the URL Twilio calls)",
  paypal: "--webhook-id; --cert to verify (default: the local test cert)",
  hmac: "--signature-header [--algorithm] [--encoding] [--prefix]",
  websub: "[--algorithm sha1|sha256|sha384|sha512] to sign",
};

function row(provider: Provider) {
  return {
    name: provider.name,
    summary: provider.summary,
    headers: [...provider.signatureHeaders],
    timeout: formatDuration(provider.timeoutMs),
    timeoutMs: provider.timeoutMs,
    signsTimestamp: provider.signsTimestamp,
    handshake: provider.handshake !== undefined,
    needs: NEEDS[provider.name],
    // Whether `hook listen --register` can register it, and if not, why.
    register: (REGISTRABLE as readonly string[]).includes(provider.name),
    registerNote: NOT_REGISTRABLE[provider.name],
  };
}

export async function providersCommand(
  _args: string[],
  options: OptionsOf<typeof JSON_LINES>,
  io: Io,
): Promise<number> {
  const out = new Output(io, options);
  const rows = listProviders().map(row);
  if (out.json) {
    for (const r of rows) out.data("provider", r);
    return 0;
  }
  const width = Math.max(...rows.map((r) => r.name.length));
  const indent = " ".repeat(width + 2);
  for (const r of rows) {
    io.stdout.write(`${out.color.bold(r.name.padEnd(width))}  ${r.summary}\n`);
    const facts = [
      r.headers.length > 0 ? `headers: ${r.headers.join(", ")}` : undefined,
      r.name === "none" ? undefined : `answer within ${r.timeout}`,
      r.handshake ? "answers its handshake" : undefined,
      r.needs ? `needs ${r.needs}` : undefined,
      r.register ? "--register works" : r.name === "none" ? undefined : `no --register: ${r.registerNote}`,
    ].filter(Boolean);
    if (facts.length > 0) io.stdout.write(`${indent}${out.color.dim(facts.join("; "))}\n`);
  }
  return 0;
}
