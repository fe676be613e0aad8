/** A request as it arrived: bytes in, nothing parsed. */
export interface ReceivedRequest {
  method: string;
  /** Path and query, as sent: "/webhooks/stripe?x=1". */
  url: string;
  headers: Headers;
  body: Uint8Array;
}

export interface SignInput {
  body: Uint8Array;
  secret: string;
  timestamp: Date;
  /** A delivery id for providers that send one (GitHub, Standard Webhooks, Twitch, Shopify, PayPal). */
  deliveryId?: string;
  /** The full URL the request is sent to (Twilio signs it). */
  url?: string;
}

export interface VerifyInput {
  body: Uint8Array;
  headers: Headers;
  /** Any one matching passes: rotation. */
  secrets: string[];
  now: Date;
  /** Full URL the sender used (Twilio). */
  url?: string;
  /** Overrides the provider's own replay window; 0 turns the timestamp check off. */
  toleranceSeconds?: number;
}

export type FailureCode =
  | "missing-header"
  | "malformed-header"
  | "timestamp-too-old"
  | "timestamp-too-new"
  | "no-match"
  | "no-secret";

export type Verdict =
  | { ok: true }
  | {
      ok: false;
      code: FailureCode;
      /** One sentence a person can act on: "Stripe-Signature header is missing". */
      reason: string;
      hint?: string;
    };

export interface Description {
  /** Event type: "payment_intent.succeeded", "push", "orders/create". */
  type?: string;
  /** The provider's event id, kept across redeliveries: "evt_…". */
  id?: string;
  /** The id of this delivery attempt, new on each one: X-GitHub-Delivery, webhook-id … */
  deliveryId?: string;
}

export interface HandshakeAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
  /**
   * The provider sends this handshake without a signature (WebSub's verification-of-intent GET), so
   * it is answered or forwarded unverified. Any other handshake must verify first.
   */
  unsigned?: true;
}

export interface Provider {
  readonly name: string;
  /** One line for `hook providers`: what is checked and how. */
  readonly summary: string;
  /**
   * Lower-case names of every header the verifier reads (not only those sign() writes): replay drops
   * them all and signs afresh, so no old signature, id or timestamp survives next to the new one.
   */
  readonly signatureHeaders: readonly string[];
  /** Whether a timestamp is signed, so stale deliveries can be rejected (hook check scenario 6). */
  readonly signsTimestamp: boolean;
  /** When it signs a timestamp: how old one its own SDK still accepts, in seconds (the app's window). */
  readonly toleranceSeconds?: number;
  /** How long the provider waits for an answer before it counts a failure, in ms. */
  readonly timeoutMs: number;
  /** Content type of a typical delivery (for bare payloads and trigger). */
  readonly contentType: string;
  /** Headers that make `body` verifiable by the provider's own SDK. */
  sign(input: SignInput): Record<string, string>;
  /** Never throws on bad network input: says why instead. */
  verify(input: VerifyInput): Verdict;
  /** Event type and ids, for display, filtering, dedupe and fixture names. Never throws. */
  describe(body: Uint8Array, headers: Headers): Description;
  /** Answers the provider's subscription handshake, if this request is one. */
  handshake?(request: ReceivedRequest): HandshakeAnswer | undefined;
  /**
   * Headers the provider sends with every delivery besides its signature and delivery id (GitHub's
   * event name, Shopify's topic, shop and API version), which its receiving library requires. They
   * are defaults for a request that lacks them (`hook sign`, a bare payload), never over a fixture's
   * own. `assumed`: the names whose value is a guess (the body does not say it), so the command can
   * say what it chose and how to choose another.
   */
  envelope?(body: Uint8Array, at: Date): { headers: Record<string, string>; assumed?: string[] };
  /** A problem with the secret itself, found before any request (a Stripe sk_ key): the hint. */
  checkSecret?(secret: string): string | undefined;
  /**
   * Only for schemes whose signature travels inside the body (LiqPay's `data` + `signature` form
   * fields): the body to send instead of `input.body`, signed. sign() then returns no signature header.
   * Callers that send a signed request use `signBody?.(input) ?? input.body` as the body.
   */
  signBody?(input: SignInput): Uint8Array;
  /** false when --secret plays no part (PayPal verifies with a certificate). Default true. */
  readonly usesSecret?: boolean;
}

/** Options some providers need: the generic HMAC's shape, PayPal's webhook id and certificate. */
export interface ProviderOptions {
  signatureHeader?: string;
  algorithm?: string;
  encoding?: string;
  prefix?: string;
  /** PayPal: the webhook id that is part of the signed message. */
  webhookId?: string;
  /** PayPal: PEM certificate (verify) and private key (sign). */
  certFile?: string;
  keyFile?: string;
  /** PayPal: where the generated local test key pair lives (default ".hook", under the cwd). */
  dataDir?: string;
}
