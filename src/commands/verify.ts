import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { HookError, UsageError } from "../errors.js";
import type { Io } from "../ui/io.js";
import { Output } from "../ui/output.js";
import { parseHeaderFlags, providerFrom, readBody, requireSecrets } from "./common.js";
import { toList } from "./options.js";
import { checkSecrets } from "./sign.js";
import type { VerifyOptions } from "./sign-flags.js";
import { secondsOption } from "./values.js";

/** Reads all of stdin as text (for --header @-). */
async function readStdin(io: Io): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of io.stdin)
    chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string));
  return Buffer.concat(chunks).toString("utf8");
}

/**
 * --header values, with `@FILE` (or `@-` for stdin) expanded to the "Name: value" lines in it, so the
 * output of `hook sign` pipes straight in: `hook sign … | hook verify … --body-file F --header @-`.
 */
async function headerLines(options: VerifyOptions, io: Io): Promise<string[]> {
  const lines: string[] = [];
  for (const item of toList(options.header)) {
    if (!item.startsWith("@")) {
      lines.push(item);
      continue;
    }
    const file = item.slice(1);
    if (file === "-" && !options.bodyFile) {
      throw new UsageError(
        "--header @- reads stdin, which is then not the body",
        "pass the body with --body-file",
      );
    }
    let text: string;
    try {
      text = file === "-" ? await readStdin(io) : readFileSync(resolve(io.cwd, file), "utf8");
    } catch (error) {
      throw new UsageError(
        `--header ${item}: cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? error}`,
      );
    }
    lines.push(...text.split(/\r?\n/).filter((line) => line.trim() !== ""));
  }
  return lines;
}

export async function verifyCommand(_args: string[], options: VerifyOptions, io: Io): Promise<number> {
  const out = new Output(io, options);
  const provider = providerFrom(options);
  const secrets = provider.usesSecret === false ? [] : requireSecrets(options, provider);
  checkSecrets(provider, secrets, out);
  const headers = parseHeaderFlags(await headerLines(options, io));
  const toleranceSeconds = secondsOption(options.tolerance, "--tolerance");
  const body = await readBody(options, io);
  const { url } = options;
  const verdict = provider.verify({ body, headers, secrets, now: io.now(), url, toleranceSeconds });
  const { type, id } = provider.describe(body, headers);
  if (options.json) {
    out.data("verdict", { provider: provider.name, ...verdict, type, id });
    return verdict.ok ? 0 : 1;
  }
  if (verdict.ok) {
    out.result("valid");
    return 0;
  }
  throw new HookError(`not valid: ${verdict.reason}`, { hint: verdict.hint });
}
