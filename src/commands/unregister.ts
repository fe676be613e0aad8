import { resolve } from "node:path";
import { Exit } from "../errors.js";
import { registerContext } from "../register/context.js";
import { getRegistrar } from "../register/index.js";
import { alive, RegistrationRecord } from "../register/record.js";
import { removeEntry } from "../register/removal.js";
import type { Io } from "../ui/io.js";
import { Output } from "../ui/output.js";
import { credentialsFrom } from "./listen-register.js";
import { renderRegister } from "./register-render.js";
import type { UnregisterOptions } from "./unregister-flags.js";
import { urlOption } from "./values.js";

/**
 * Removes what `hook listen --register` left at the providers: registrations of killed runs and those
 * kept with --keep. A running listen's registration is left to that run. Exit 1 if any removal failed.
 */
export async function unregisterCommand(
  _args: string[],
  options: UnregisterOptions,
  io: Io,
): Promise<number> {
  const out = new Output(io, options);
  const dataDir = resolve(io.cwd, options.dataDir);
  const record = new RegistrationRecord(dataDir);
  const only = options.provider?.toLowerCase();
  if (only) getRegistrar(only);
  const apiBase = options.apiBase ? urlOption(options.apiBase, "--api-base").origin : undefined;
  // Newest first: undoing Telegram's webhook settings in reverse puts back the oldest one last.
  const entries = record
    .list()
    .filter((e) => only === undefined || e.provider === only)
    .reverse();
  let failed = 0;
  let removed = 0;
  for (const entry of entries) {
    if (!entry.kept && alive(entry.pid)) {
      out.warn(
        `${entry.provider} webhook ${entry.id ?? ""} belongs to a running hook listen (pid ${entry.pid}): stop it with Ctrl-C`,
      );
      continue;
    }
    const registrar = getRegistrar(entry.provider);
    const ctx = registerContext(
      registrar,
      credentialsFrom(registrar, options, io),
      {},
      apiBase ?? entry.base,
      [],
      io.env,
    );
    const ok = await removeEntry(
      registrar,
      ctx,
      record,
      apiBase ? { ...entry, base: ctx.base } : entry,
      (r) => renderRegister(out, r),
      !entry.kept,
    );
    if (ok) removed += 1;
    else failed += 1;
  }
  if (removed + failed === 0) out.line(`nothing to unregister in ${record.path}`);
  out.data("summary", { removed, failed });
  return failed > 0 ? Exit.failed : Exit.ok;
}
