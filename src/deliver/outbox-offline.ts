import { closeSync, existsSync, openSync } from "node:fs";
import { join } from "node:path";
import { HookError } from "../errors.js";
import type { Provider } from "../providers/types.js";
import type { ControlReply, ControlRequest } from "./control.js";
import { Forwarder } from "./forward.js";
import { Journal } from "./journal.js";
import { scanJournal } from "./journal-compact.js";
import { readEntry } from "./journal-lines.js";
import { acquireDataDirLock } from "./lock.js";
import { Outbox, type OutboxEvent } from "./outbox.js";
import { pendingEntry } from "./outbox-entries.js";
import { signer } from "./resign.js";
import { localSend } from "./sender.js";

interface OfflineOptions {
  dataDir: string;
  /** retry: where to deliver the head (listen's --forward-to). */
  forwardTo?: URL;
  timeoutMs: number;
  provider?: Provider;
  secret?: string;
  /** --forward-secret: `secret` is the app's, so every verified entry is signed with it. */
  resignAll?: boolean;
  giveUpAfterMs: number;
  /** The proxy variables. */
  env: Record<string, string | undefined>;
  now: () => Date;
}

/** What `hook outbox` did beside no listener: the reply, and the deliveries it made. */
export interface OfflineResult {
  reply: ControlReply;
  events: OutboxEvent[];
}

/** `hook outbox list` beside no listener: the journal read as it is, nothing written, no lock. */
export function listOffline(dataDir: string, now: Date): ControlReply {
  const path = join(dataDir, "outbox.ndjson");
  if (!existsSync(path)) return { ok: true, op: "list", entries: [] };
  const fd = openSync(path, "r");
  try {
    const { pending, failures } = scanJournal(fd);
    const entries = pending
      .toArray()
      .map((ref) => pendingEntry(readEntry(fd, ref), failures.get(ref.seq), now));
    return { ok: true, op: "list", entries };
  } finally {
    closeSync(fd);
  }
}

/**
 * `hook outbox retry|drop` beside no listener: the change is made on the files, under the data dir's
 * lock (so a listener starting meanwhile waits its turn by failing to start, not by racing).
 */
export async function changeOffline(request: ControlRequest, o: OfflineOptions): Promise<OfflineResult> {
  if (request.op === "retry" && !o.forwardTo) {
    throw new HookError("outbox retry: no hook listen is running on this data dir", {
      hint: "pass --forward-to URL to deliver the head from here, or start hook listen --durable (it tries the head at once)",
      exitCode: 2,
    });
  }
  const release = acquireDataDirLock(o.dataDir, "listen.lock", "outbox");
  const events: OutboxEvent[] = [];
  const forwarder = new Forwarder(o.forwardTo ?? new URL("http://127.0.0.1/"), o.timeoutMs, o.env);
  const sign = signer(o.provider, o.secret, o.resignAll);
  try {
    const { journal, pending, failures } = await Journal.open(o.dataDir);
    const outbox = new Outbox({
      journal,
      send: localSend(forwarder, sign),
      schedule: [0],
      giveUpAfterMs: o.giveUpAfterMs,
      deadDir: join(o.dataDir, "dead"),
      signer: sign,
      emit: (event) => events.push(event),
      initial: pending,
      failures,
      now: o.now,
    });
    try {
      return { reply: await apply(outbox, request), events };
    } finally {
      await journal.close();
    }
  } finally {
    await forwarder.close();
    release();
  }
}

async function apply(outbox: Outbox, request: ControlRequest): Promise<ControlReply> {
  if (request.op === "drop") {
    const dropped = await outbox.drop(request.target);
    if (!dropped) return { ok: false, error: `no pending entry ${request.target}` };
    return { ok: true, op: "drop", ...dropped, pending: outbox.pending };
  }
  const retried = await outbox.attemptHead();
  return { ok: true, op: "retry", retried, pending: outbox.pending };
}
