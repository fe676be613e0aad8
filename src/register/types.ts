import type { ProviderOptions } from "../providers/types.js";
import type { ApiIdentity } from "./api-error.js";
import type { ApiAnswer, ApiRequest } from "./http.js";

/** Marker put where an API has a description field, so a leftover is recognisably hook's. */
export const MARKER = "hook listen (temporary)";

/** The flags a registration reads besides the credentials. */
export interface RegisterFlags {
  /** --events, split: the provider's event list where it has one. */
  events?: string[];
  replace?: boolean;
  live?: boolean;
  /** --public-url, when given: the URL registered instead of the tunnel's. */
  publicUrl?: string;
  /** GitHub */
  repo?: string;
  org?: string;
  /** Twitch */
  type?: string;
  condition?: string;
  version?: string;
  /** WebSub */
  hub?: string;
  topic?: string;
  lease?: string;
}

export interface Credentials {
  /** API key, token, or (Twitch, PayPal) the client id. */
  key: string;
  /** Twitch, PayPal: the client secret. */
  secret?: string;
}

/** What a registrar gets: its API's origin, a call that turns non-2xx answers into sentences, the flags. */
export interface RegisterContext {
  base: string;
  /** "--api-key or STRIPE_API_KEY", for messages about the credentials. */
  keySource: string;
  credentials: Credentials;
  flags: RegisterFlags;
  /** Sends; a non-2xx answer is thrown as an ApiFailure that says what went wrong `doing` what. */
  call(req: ApiRequest, doing: string): Promise<ApiAnswer>;
  /** Remembered for the rest of the run (an OAuth token). */
  memo: Map<string, unknown>;
}

/** One registration in <data dir>/registrations.json: enough to remove it without the flags. */
export interface Entry {
  /** Local reference, known before the API gives an id. */
  ref: string;
  provider: string;
  /** The provider's id; missing while the create call is in flight. */
  id?: string;
  url: string;
  state: "creating" | "active";
  /** Left with --keep: later runs leave it alone, `hook unregister` removes it. */
  kept?: boolean;
  pid: number;
  startedAt: string;
  base: string;
  /** Where it lives (GitHub's repo path, WebSub's hub and topic) and what to restore (Telegram). */
  scope: Record<string, string>;
}

export interface Target {
  url: string;
  /** The secret hook chose, for providers that take one. */
  secret: string;
}

interface Created {
  id: string;
  /** The signing secret the provider handed out (Stripe's whsec_, Paddle's pdl_ntfset_). */
  secret?: string;
  /** Provider options verification needs (PayPal's webhook id). */
  options?: Partial<ProviderOptions>;
}

/** "gone": there was nothing left to remove (already deleted, or someone else's setting now). */
export type Removal = "removed" | "restored" | "gone";

export interface Registrar {
  readonly name: string;
  readonly identity: ApiIdentity;
  /** The API's origin, replaced by --api-base. */
  origin(credentials: Credentials, flags?: RegisterFlags): string;
  /** Credential variables: one key, or a client id and secret. */
  readonly variables: readonly string[];
  /** Where to register by hand, for the hint of a failure. */
  readonly manual: string;
  /** What identifies a registration for removal: its id, or (one webhook per bot, per topic) its URL. */
  readonly keyedBy: "id" | "url";
  /** A request the provider sends through the tunnel to confirm a removal (WebSub verifies unsubscribe). */
  readonly removalCheck?: RegExp;
  /** Provider options verification needs before the registration supplies them (PayPal's webhook id). */
  readonly placeholder?: Partial<ProviderOptions>;
  /** The provider takes a secret from us (else it returns one). */
  readonly takesSecret: boolean;
  /** Usage errors found from the flags alone, before anything listens. */
  check?(flags: RegisterFlags, credentials: Credentials): void;
  /** Where the registration will live: stored in the record before the first call. */
  scope?(ctx: RegisterContext): Record<string, string>;
  /** Before listening: a refusal (Telegram's other webhook) or state to restore later. */
  prepare?(ctx: RegisterContext): Promise<Record<string, string>>;
  create(ctx: RegisterContext, target: Target, scope: Record<string, string>): Promise<Created>;
  /** Points it at a new URL; an API without update deletes and creates (a new id). */
  update(ctx: RegisterContext, entry: Entry, target: Target): Promise<{ id: string }>;
  remove(ctx: RegisterContext, entry: Entry): Promise<Removal>;
  /** A registration that lapses (a WebSub lease) is made again after this long. */
  renewAfterMs?(ctx: RegisterContext): number | undefined;
  /** The id of a registration at `entry.url` (one hook made, by its marker where the API has one). */
  find?(ctx: RegisterContext, entry: Entry): Promise<string | undefined>;
}
