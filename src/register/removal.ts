import { errorMessage, HookError } from "../errors.js";
import type { RegisterRecord } from "../events/types.js";
import { alive, type RegistrationRecord } from "./record.js";
import type { Entry, RegisterContext, Registrar } from "./types.js";

export type Emit = (record: RegisterRecord) => void;

/**
 * Removes one recorded registration (or puts Telegram's previous URL back) and drops it from the
 * record once that worked. A failure keeps it in the record, so the next run tries again.
 */
export async function removeEntry(
  registrar: Registrar,
  ctx: RegisterContext,
  record: RegistrationRecord,
  entry: Entry,
  emit: Emit,
  leftover: boolean,
): Promise<boolean> {
  const base = { provider: entry.provider, id: entry.id, url: entry.url, leftover: leftover || undefined };
  const here = entry.base === ctx.base ? ctx : { ...ctx, base: entry.base, memo: new Map() };
  try {
    const known = await withId(registrar, here, entry);
    if (!known) {
      record.drop(entry.ref);
      emit({ ...base, state: "removed", note: "the create call it was stopped in never made one" });
      return true;
    }
    base.id = known.id;
    const done = await registrar.remove(here, known);
    record.drop(entry.ref);
    if (done === "restored") {
      emit({
        ...base,
        state: "restored",
        note: `previous URL ${known.scope.previous} set back (without its old secret_token, which cannot be read back)`,
      });
    } else {
      emit({
        ...base,
        state: "removed",
        note: done === "gone" ? "it was already gone" : lapses(registrar, leftover),
      });
    }
    return true;
  } catch (error) {
    emit({
      ...base,
      state: "failed",
      reason: errorMessage(error),
      hint: failureHint(error, `remove it by hand, or run \`hook unregister --provider ${entry.provider}\``),
    });
    return false;
  }
}

/**
 * The entry with its id. A run killed during the create call left none: the provider's list, searched
 * for the URL (and hook's marker), tells whether that call made one, and which.
 */
async function withId(registrar: Registrar, ctx: RegisterContext, entry: Entry): Promise<Entry | undefined> {
  if (entry.id !== undefined || registrar.keyedBy === "url") return entry;
  if (!registrar.find)
    throw new Error(
      `a run was stopped while registering ${entry.url}, before it had an id: check the ${registrar.identity.api}'s dashboard`,
    );
  const id = await registrar.find(ctx, entry);
  return id === undefined ? undefined : { ...entry, id };
}

/** Registrations of killed runs (never kept ones, never a live run's) for this provider, removed. */
export async function removeLeftovers(
  registrar: Registrar,
  ctx: RegisterContext,
  record: RegistrationRecord,
  emit: Emit,
): Promise<void> {
  const leftovers = record.list().filter((e) => e.provider === registrar.name && !e.kept && !alive(e.pid));
  for (const entry of leftovers) await removeEntry(registrar, ctx, record, entry, emit, true);
}

/** A hub checks an unsubscribe through the callback: a killed run's tunnel is gone, so it cannot. */
function lapses(registrar: Registrar, leftover: boolean): string | undefined {
  if (!registrar.removalCheck || !leftover) return undefined;
  return "asked the hub; it checks through the old URL, which is gone, so the subscription lapses with its lease";
}

export function failureHint(error: unknown, fallback: string): string {
  const own = error instanceof HookError ? error.hint : undefined;
  return own ? `${own}; or ${fallback}` : fallback;
}
