import type { Forwarder } from "../deliver/forward.js";
import type { Journal } from "../deliver/journal.js";
import type { Outbox } from "../deliver/outbox.js";
import { errorMessage } from "../errors.js";
import {
  ANSWER_KEEP_BYTES,
  type EventBus,
  type Outcome,
  type RequestRecord,
  type TargetAnswer,
} from "../events/types.js";
import { headersFromPairs } from "../net/headers.js";
import type { Description, Provider } from "../providers/types.js";
import type { Confirm } from "../reconcile/confirm.js";
import type { ReceiveGate } from "../reconcile/gate.js";
import { saveFixture } from "../store/fixture-writer.js";
import { slowAnswer } from "../ui/answer.js";
import { formatSize } from "../units.js";
import type { SeenIds } from "./dedupe.js";
import type { VerifyKeys } from "./keys.js";
import { publicUrl } from "./public-url.js";
import { errorReply, jsonReply, type Reply } from "./replies.js";

export interface PipelineOptions {
  /** Undefined: nothing is verified. */
  provider?: Provider;
  /** Used to describe requests when no provider verifies them. */
  describer: Provider;
  /** The verifying provider and its secrets; --register swaps in the secret the provider returned. */
  keys: VerifyKeys;
  toleranceSeconds?: number;
  filter?: (type: string | undefined) => boolean;
  forwarder?: Forwarder;
  durable?: { journal: Journal; outbox: Outbox };
  saveDir?: string;
  seen: SeenIds;
  maxBody: number;
  now: () => Date;
  /**
   * hook answers the provider's handshakes even with --forward-to: with --register the subscription
   * is hook's (made with hook's secret), so confirming it is hook's job, not the app's.
   */
  answersHandshakes?: boolean;
  /** The tunnel's current public URL, if it is up. */
  tunnelUrl: () => string | undefined;
  bus: EventBus;
  /** The first record number: the inspector's history carries numbers on across restarts. */
  firstNumber?: number;
  /** --reconcile: each event reaches the app once, by webhook or by reconciliation. */
  gate?: ReceiveGate;
  /** --confirm: the provider's API must know a webhook's event before it is forwarded. */
  confirm?: Confirm;
}

export interface Incoming {
  method: string;
  path: string;
  headers: [string, string][];
  body: Uint8Array;
  receivedAt: Date;
  /** The body went over --max-body: it was not read whole. */
  tooLarge?: boolean;
  /** Sent again from the inspector: the number of the record it replays. */
  replayOf?: number;
  /** Found by --reconcile in the provider's API, not sent by the provider. */
  reconciled?: boolean;
}

type Draft = Omit<RequestRecord, "outcome" | "status" | "latencyMs">;
type Finish = (outcome: Outcome, reply: Reply, extra?: Partial<RequestRecord>) => Promise<Reply>;
/** Called with the finished record, for a caller that needs it (the inspector's replay). */
type OnRecord = (record: RequestRecord) => void;

/** raw request -> verify -> describe -> filter -> dedupe -> save -> forward/queue -> reply + event. */
export class Pipeline {
  private count: number;

  constructor(private readonly options: PipelineOptions) {
    this.count = (options.firstNumber ?? 1) - 1;
  }

  async handle(incoming: Incoming, onRecord?: OnRecord): Promise<Reply> {
    const o = this.options;
    const headers = headersFromPairs(incoming.headers);
    const description: Description = incoming.tooLarge ? {} : o.describer.describe(incoming.body, headers);
    const draft = this.draft(incoming, description);
    let saving: Promise<string | undefined> | undefined;
    const finish = this.finisher(draft, () => saving, onRecord);
    if (incoming.tooLarge) {
      const reason = `the body is larger than --max-body ${formatSize(o.maxBody)}`;
      return finish("too-large", errorReply(413, "payload too large", reason), { error: reason });
    }
    const handshake = this.handshake(incoming, headers);
    if (handshake?.answer) return finish("handshake", handshake.answer);
    const verification = handshake?.unsigned ? undefined : this.verify(incoming, headers);
    draft.verification = verification;
    saving = this.save(draft);
    if (verification && !verification.ok) {
      const reply = errorReply(401, "invalid signature", verification.reason);
      return finish("rejected", reply, { error: verification.reason });
    }
    // The app answers its own handshakes, live: a filter or the outbox's 202 would swallow the challenge.
    if (handshake && o.forwarder) return this.forward(incoming, o.forwarder, finish, draft.deliveryId);
    if (o.filter && !o.filter(description.type)) {
      return finish("filtered", jsonReply(200, { ok: true, filtered: true }));
    }
    // Only --confirm waits here: without it, no extra turn of the event loop per request.
    const refused = o.confirm && (await this.confirm(incoming, description, draft, finish));
    if (refused) return refused;
    draft.duplicate = o.seen.check(draft.provider, [description.id, description.deliveryId]);
    return o.gate
      ? this.admit(o.gate, incoming, draft, headers, finish)
      : this.deliver(incoming, draft, finish);
  }

  /** --confirm: an event the provider's API does not know is refused like a bad signature. */
  private async confirm(incoming: Incoming, description: Description, draft: Draft, finish: Finish) {
    const refusal = incoming.reconciled ? undefined : await this.options.confirm?.(description);
    if (!refusal) return undefined;
    const reply = errorReply(refusal.status, "not confirmed", refusal.reason);
    if (refusal.status === 503) return finish("failed", reply, { error: refusal.reason });
    draft.verification = { ok: false, reason: refusal.reason };
    return finish("rejected", reply, { error: refusal.reason });
  }

  /** --reconcile: an event the app already has (by either path) is answered 200, not sent again. */
  private async admit(gate: ReceiveGate, incoming: Incoming, draft: Draft, headers: Headers, finish: Finish) {
    const admission = await gate.admit({ ...draft, headers, reconciled: draft.reconciled === true });
    if (!admission.go) {
      return finish("already-delivered", jsonReply(200, { ok: true, duplicate: true }), { duplicate: true });
    }
    const reply = await this.deliver(incoming, draft, finish);
    gate.done(admission, reply.status >= 200 && reply.status < 300);
    return reply;
  }

  private deliver(incoming: Incoming, draft: Draft, finish: Finish): Promise<Reply> {
    const o = this.options;
    if (o.durable) return this.queue(incoming, draft, finish);
    if (o.forwarder) return this.forward(incoming, o.forwarder, finish, draft.deliveryId);
    return finish("accepted", jsonReply(200, { ok: true }));
  }

  private draft(incoming: Incoming, description: Description): Draft {
    return {
      n: ++this.count,
      receivedAt: incoming.receivedAt,
      method: incoming.method,
      path: incoming.path,
      headers: incoming.headers,
      body: incoming.body,
      provider: (this.options.provider ?? this.options.describer).name,
      event: description.type,
      eventId: description.id,
      deliveryId: description.deliveryId,
      duplicate: false,
      replayOf: incoming.replayOf,
      reconciled: incoming.reconciled === true,
    };
  }

  /** Completes the record (once the fixture is written) and emits it; returns the reply. */
  private finisher(
    draft: Draft,
    saving: () => Promise<string | undefined> | undefined,
    onRecord: OnRecord | undefined,
  ): Finish {
    const started = performance.now();
    return async (outcome, reply, extra = {}) => {
      const written = saving();
      const savedAs = written === undefined ? undefined : await written;
      const latencyMs = performance.now() - started;
      const record: RequestRecord = Object.assign(draft, extra, {
        outcome,
        status: reply.status,
        savedAs,
        latencyMs,
      });
      this.options.bus.emit({ kind: "request", record });
      onRecord?.(record);
      return reply;
    };
  }

  /**
   * Whether this is the provider's handshake. Without --forward-to hook answers it; a signed one (Slack,
   * Twitch) must verify first, else it goes on as a normal request and gets its 401. A WebSub GET carries
   * no signature by spec, so it is answered, or forwarded, without one.
   */
  private handshake(incoming: Incoming, headers: Headers): { answer?: Reply; unsigned: boolean } | undefined {
    const provider = this.options.provider;
    if (!provider?.handshake) return undefined;
    const request = { method: incoming.method, url: incoming.path, headers, body: incoming.body };
    const answer = provider.handshake(request);
    if (!answer) return undefined;
    // Only the provider knows which of its handshakes carry no signature; the method proves nothing.
    const unsigned = answer.unsigned === true;
    if (this.options.forwarder && !this.options.answersHandshakes) return { unsigned };
    const verification = unsigned ? undefined : this.verify(incoming, headers);
    if (verification && !verification.ok) return undefined;
    return {
      unsigned,
      answer: { status: answer.status, headers: Object.entries(answer.headers), body: answer.body },
    };
  }

  private verify(incoming: Incoming, headers: Headers): RequestRecord["verification"] {
    const o = this.options;
    const { provider, secrets } = o.keys;
    if (!provider || provider.name === "none") return undefined;
    const verdict = provider.verify({
      body: incoming.body,
      headers,
      secrets,
      now: o.now(),
      // Only Twilio signs the URL: worked out when a provider reads it, not on every request.
      get url() {
        return publicUrl(incoming.path, headers, o.tunnelUrl());
      },
      toleranceSeconds: o.toleranceSeconds,
    });
    return verdict.ok ? { ok: true } : { ok: false, reason: verdict.reason, hint: verdict.hint };
  }

  private save(draft: Draft): Promise<string | undefined> | undefined {
    const dir = this.options.saveDir;
    if (!dir) return undefined;
    const v = draft.verification;
    return saveFixture(dir, {
      ...draft,
      id: draft.eventId,
      verification: v && !v.ok ? { ok: false, reason: v.reason } : undefined,
    }).catch((error: Error) => {
      this.options.bus.emit({
        kind: "warning",
        message: `--save: could not write a fixture: ${error.message}`,
      });
      return undefined;
    });
  }

  private async queue(incoming: Incoming, draft: Draft, finish: Finish): Promise<Reply> {
    const durable = this.options.durable as NonNullable<PipelineOptions["durable"]>;
    try {
      const entry = await durable.journal.accept({
        receivedAt: incoming.receivedAt.toISOString(),
        method: incoming.method,
        path: incoming.path,
        headers: incoming.headers,
        body: incoming.body,
        event: draft.event,
        eventId: draft.eventId,
        deliveryId: draft.deliveryId,
        provider: draft.provider,
      });
      durable.outbox.enqueue(entry);
      return finish("queued", jsonReply(202, { ok: true, queued: entry.seq }), { seq: entry.seq });
    } catch (error) {
      // Not on disk, so not acknowledged: a 500 makes the provider send it again.
      const reason = `could not write the outbox: ${errorMessage(error)}`;
      return finish("failed", errorReply(500, "not stored", reason), { error: reason });
    }
  }

  /** `deliveryId`: the one describe found, for a forwarder that signs again (--forward-secret) to keep. */
  private async forward(
    incoming: Incoming,
    forwarder: Forwarder,
    finish: Finish,
    deliveryId: string | undefined,
  ): Promise<Reply> {
    const result = await forwarder.send(incoming, deliveryId);
    if (!result.ok) {
      const status = result.kind === "timeout" ? 504 : 502;
      const error = result.kind === "timeout" ? "target timed out" : "target unreachable";
      // The sender (anyone on the tunnel) learns what kind of failure, never where the app lives.
      const reason = `the app behind hook did not answer (${result.why})`;
      return finish(result.kind, errorReply(status, error, reason), { error: result.error });
    }
    this.warnIfSlow(result.latencyMs);
    const reply = { status: result.status, headers: result.headers, body: result.body };
    return finish("forwarded", reply, { targetStatus: result.status, response: answerOf(result) });
  }

  private warnIfSlow(latencyMs: number): void {
    const message = this.options.provider && slowAnswer(this.options.provider, latencyMs);
    if (message) this.options.bus.emit({ kind: "warning", message });
  }
}

/** The answer as the record keeps it: the body's start is copied, so a huge answer is not retained whole. */
function answerOf(result: { status: number; headers: [string, string][]; body: Buffer }): TargetAnswer {
  const { status, headers, body } = result;
  if (body.length <= ANSWER_KEEP_BYTES) return { status, headers, body, truncated: false };
  return { status, headers, body: Buffer.from(body.subarray(0, ANSWER_KEEP_BYTES)), truncated: true };
}
