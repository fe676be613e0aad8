import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Forwarder } from "../../src/deliver/forward.js";
import { Journal, type OutboxEntry } from "../../src/deliver/journal.js";
import { Outbox, type OutboxEvent } from "../../src/deliver/outbox.js";
import { type Signer, signer } from "../../src/deliver/resign.js";
import { localSend } from "../../src/deliver/sender.js";
import type { DeliveryRecord } from "../../src/events/types.js";
import type { Target } from "../helpers/target.js";

/** One request as the receiver hands it to the journal. */
export const entry = (n: number, more: Partial<OutboxEntry> = {}): Omit<OutboxEntry, "seq"> => ({
  receivedAt: new Date(0).toISOString(),
  method: "POST",
  path: `/p${n}`,
  headers: [["x-n", String(n)]],
  body: Buffer.from(`{"n":${n}}`),
  eventId: `evt_${n}`,
  event: "order.paid",
  ...more,
});

export const tempDir = (): { dir: string; remove: () => void } => {
  const dir = mkdtempSync(join(tmpdir(), "hook-deliver-"));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
};

/** The journal's records, one object a line. */
export const journalLines = (dir: string) =>
  readFileSync(join(dir, "outbox.ndjson"), "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>);

/** Resolves once `check` holds; a bounded wait that names what it waited for. */
export async function until(what: string, check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

type OutboxOptions = ConstructorParameters<typeof Outbox>[0];

export interface Running {
  outbox: Outbox;
  journal: Journal;
  events: OutboxEvent[];
  /** The delivery records, in order. */
  records: () => DeliveryRecord[];
  warnings: () => string[];
  close: () => Promise<void>;
}

/** An outbox over a fresh journal in `dir`, delivering to `target`; nothing started. */
export async function outboxFor(
  dir: string,
  target: Target | URL,
  options: Partial<OutboxOptions> & { sign?: Signer } = {},
): Promise<Running> {
  const opened = await Journal.open(dir);
  const url = target instanceof URL ? target : new URL(target.url);
  const forwarder = new Forwarder(url, 5_000, {});
  const sign = options.sign ?? signer(undefined, undefined);
  const events: OutboxEvent[] = [];
  const outbox = new Outbox({
    journal: opened.journal,
    send: localSend(forwarder, sign),
    schedule: [60_000],
    giveUpAfterMs: 86_400_000 * 365 * 100,
    deadDir: join(dir, "dead"),
    signer: sign,
    emit: (event) => events.push(event),
    initial: opened.pending,
    failures: opened.failures,
    now: () => new Date(60_000),
    ...options,
  });
  return {
    outbox,
    journal: opened.journal,
    events,
    records: () => events.flatMap((e) => (e.kind === "delivery" ? [e.record] : [])),
    warnings: () => events.flatMap((e) => (e.kind === "warning" ? [e.message] : [])),
    close: async () => {
      await outbox.stop(1_000);
      await opened.journal.close();
      await forwarder.close(0);
    },
  };
}
