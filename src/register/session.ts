import { randomUUID } from "node:crypto";
import { errorMessage, UsageError } from "../errors.js";
import type { ProviderOptions } from "../providers/types.js";
import type { RegistrationRecord } from "./record.js";
import { type Emit, failureHint, removeEntry, removeLeftovers } from "./removal.js";
import type { Entry, RegisterContext, Registrar } from "./types.js";

interface SessionOptions {
  registrar: Registrar;
  ctx: RegisterContext;
  record: RegistrationRecord;
  /** --path, appended to the public URL. */
  path?: string;
  /** The secret given to providers that take one. */
  secret: string;
  keep: boolean;
  emit: Emit;
  /** Verification takes these from now on: the secret the provider returned, PayPal's webhook id. */
  useKeys(keys: { secret?: string; options?: Partial<ProviderOptions> }): void;
  /** Resolves true once the provider's confirming request (WebSub's unsubscribe GET) came in, false after `ms`. */
  awaitRequest?(pattern: RegExp, ms: number): Promise<boolean>;
  now: () => Date;
}

/** How long an unsubscribe waits for the hub's GET before the tunnel closes. */
const CONFIRM_MS = 5_000;

/**
 * One registration over a listen run: leftovers of killed runs removed and refusals made before
 * listening (open), registered once the public URL works and updated when it changes (point), removed
 * or kept on the way out (close). Calls run one at a time, in order. Failures are reported, never thrown:
 * hook keeps listening.
 */
export class RegisterSession {
  private entry: Entry | undefined;
  private scope: Record<string, string> = {};
  private queue: Promise<void> = Promise.resolve();
  private broken = false;
  private renewal: NodeJS.Timeout | undefined;

  constructor(private readonly o: SessionOptions) {}

  get registered(): boolean {
    return this.entry !== undefined;
  }

  /** Usage errors (Telegram's other webhook) are thrown: exit 2 before listening. */
  async open(): Promise<void> {
    const { registrar, ctx, record, emit } = this.o;
    await removeLeftovers(registrar, ctx, record, emit);
    try {
      this.scope = { ...registrar.scope?.(ctx), ...(await registrar.prepare?.(ctx)) };
    } catch (error) {
      if (error instanceof UsageError) throw error;
      // Not knowing the provider's state (Telegram's current webhook), registering could clobber it.
      this.fail(error, undefined);
      this.broken = true;
    }
  }

  point(publicUrl: string): void {
    const url = `${publicUrl.replace(/\/+$/, "")}${this.o.path ?? ""}`;
    this.queue = this.queue.then(() =>
      this.broken ? undefined : this.entry ? this.update(url) : this.create(url),
    );
  }

  private async create(url: string): Promise<void> {
    const { registrar, ctx, record, emit } = this.o;
    const provider = registrar.name;
    const entry: Entry = {
      ref: randomUUID(),
      provider,
      url,
      state: "creating",
      pid: process.pid,
      startedAt: this.o.now().toISOString(),
      base: ctx.base,
      scope: this.scope,
    };
    emit({ state: "registering", provider, url });
    record.save(entry);
    try {
      const created = await registrar.create(ctx, { url, secret: this.o.secret }, this.scope);
      this.entry = { ...entry, id: created.id, state: "active" };
      record.save(this.entry);
      this.o.useKeys({ secret: created.secret, options: created.options });
      emit({ state: "registered", provider, id: created.id, url });
      this.renewLater();
    } catch (error) {
      record.drop(entry.ref);
      this.fail(error, url);
    }
  }

  private async update(url: string): Promise<void> {
    const { registrar, ctx, record, emit } = this.o;
    const old = this.entry as Entry;
    if (old.url === url) return;
    record.save({ ...old, url });
    try {
      const { id } = await registrar.update(ctx, old, { url, secret: this.o.secret });
      this.entry = { ...old, id, url };
      record.save(this.entry);
      emit({ state: "updated", provider: registrar.name, id, url });
      this.renewLater();
    } catch (error) {
      record.save(old);
      this.fail(error, url);
    }
  }

  /** A lease (WebSub's) is taken again before it runs out: subscribing the same callback renews it. */
  private renewLater(): void {
    clearTimeout(this.renewal);
    // setTimeout takes at most 2^31-1 ms (24.8 days); a longer lease is renewed early rather than never.
    const ms = Math.min(this.o.registrar.renewAfterMs?.(this.o.ctx) ?? 0, 2 ** 31 - 1);
    if (!ms) return;
    this.renewal = setTimeout(() => {
      this.queue = this.queue.then(() => this.renew());
    }, ms).unref();
  }

  private async renew(): Promise<void> {
    const { registrar, ctx, emit } = this.o;
    const entry = this.entry;
    if (!entry) return;
    try {
      await registrar.create(ctx, { url: entry.url, secret: this.o.secret }, entry.scope);
      emit({
        state: "updated",
        provider: registrar.name,
        id: entry.id,
        url: entry.url,
        note: "lease renewed",
      });
      this.renewLater();
    } catch (error) {
      this.fail(error, entry.url);
    }
  }

  /** Before the tunnel closes: WebSub's hub checks the unsubscribe through it. */
  async close(): Promise<void> {
    clearTimeout(this.renewal);
    await this.queue;
    const entry = this.entry;
    if (!entry) return;
    const { registrar, ctx, record, emit } = this.o;
    if (this.o.keep) {
      record.save({ ...entry, kept: true });
      emit({
        state: "kept",
        provider: entry.provider,
        id: entry.id,
        url: entry.url,
        note: "`hook unregister` removes it",
      });
      return;
    }
    const confirmed = registrar.removalCheck && this.o.awaitRequest?.(registrar.removalCheck, CONFIRM_MS);
    if (await removeEntry(registrar, ctx, record, entry, emit, false)) await confirmed;
  }

  /** There is no public URL to register (the tunnel failed, its name never resolved). */
  notRegistered(why: string, url?: string): void {
    const hint = "pass --public-url, or run again";
    this.o.emit({
      state: "failed",
      provider: this.o.registrar.name,
      url,
      reason: `not registered: ${why}`,
      hint,
    });
  }

  private fail(error: unknown, url: string | undefined): void {
    const { registrar } = this.o;
    this.o.emit({
      state: "failed",
      provider: registrar.name,
      url,
      reason: errorMessage(error),
      hint: failureHint(error, `still listening: to register by hand, ${registrar.manual}`),
    });
  }
}
