/**
 * A command's flags, declared once beside the command: what commander shows and parses, and (in the
 * type parameters only) the type the command receives. `OptionsOf<typeof FLAGS>` is that type, and
 * readOptions() is the one place commander's untyped values are checked against it.
 */
export interface Flag<T = unknown, Present extends boolean = boolean> {
  /** As commander spells it: "-p, --port <port>", "--no-tunnel". */
  readonly flags: string;
  readonly description: string;
  readonly kind: "value" | "switch" | "list";
  readonly defaultValue?: string;
  readonly mandatory?: boolean;
  /** An environment variable commander reads when the flag is not given. */
  readonly env?: string;
  /** Type only: the value's type, and whether it is always there (a default, required, --no-x). */
  readonly type?: [T, Present];
}

export type Flags = Record<string, Flag>;

/** A flag that takes a value; with a default, the value is always there. */
export function value(flags: string, description: string): Flag<string, false>;
export function value(flags: string, description: string, defaultValue: string): Flag<string, true>;
export function value(flags: string, description: string, defaultValue?: string): Flag<string> {
  return { flags, description, kind: "value", defaultValue };
}

/** A value the command cannot run without (from a flag, or hook.config.json). */
export function required(flags: string, description: string): Flag<string, true> {
  return { flags, description, kind: "value", mandatory: true };
}

/** `--json`: true when given. */
export function toggle(flags: string, description: string): Flag<boolean, false> {
  return { flags, description, kind: "switch" };
}

/** `--no-tunnel`: the attribute (`tunnel`) is true unless the flag is given. */
export function negation(flags: string, description: string): Flag<boolean, true> {
  return { flags, description, kind: "switch" };
}

/** A flag given any number of times (`--header`), collected in order. */
export function repeatable(flags: string, description: string, env?: string): Flag<string[], false> {
  return { flags, description, kind: "list", env };
}

type ValueOf<F> = F extends Flag<infer T> ? T : never;
type Present<F extends Flags> = {
  [K in keyof F as F[K] extends Flag<unknown, true> ? K : never]: ValueOf<F[K]>;
};
type Absent<F extends Flags> = {
  [K in keyof F as F[K] extends Flag<unknown, true> ? never : K]?: ValueOf<F[K]>;
};

/** The program's own options, which every command receives too. */
export interface GlobalOptions {
  config?: string;
  color: boolean;
  debug?: boolean;
  /**
   * Options whose value came from hook.config.json. A command with its own environment variables
   * (STRIPE_API_KEY for --api-key) lets those win over the file: flag > environment > config.
   */
  configured: string[];
}

export type OptionsOf<F extends Flags> = Present<F> & Absent<F> & GlobalOptions;

/** The one flag-to-list conversion: a repeatable flag's values, or one value, or none. */
export function toList<T>(value: T | T[] | undefined): T[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

const EXPECTED = { value: "a text", switch: "true or false", list: "a list of texts" } as const;

function fits(flag: Flag, value: unknown): boolean {
  if (flag.kind === "switch") return typeof value === "boolean";
  if (flag.kind === "list") return Array.isArray(value) && value.every((v) => typeof v === "string");
  return typeof value === "string";
}

/**
 * Commander's values, checked against the flags that made them: the only way a command gets its
 * options. commander makes each kind's shape and applyConfig() checks the config file's, so a
 * mismatch is a flag declared wrongly: a bug, not the user's mistake.
 */
export function readOptions<F extends Flags>(
  flags: F,
  raw: Record<string, unknown>,
  globals: GlobalOptions,
): OptionsOf<F> {
  const options: Record<string, unknown> = { ...globals };
  for (const [key, flag] of Object.entries(flags)) {
    const given = raw[key];
    if (given === undefined) continue;
    if (!fits(flag, given)) {
      throw new Error(`${flag.flags} should be ${EXPECTED[flag.kind]}, not ${JSON.stringify(given)}`);
    }
    options[key] = given;
  }
  // Every key was checked against its flag's kind just above: this is the type those kinds make.
  return options as OptionsOf<F>;
}

/** --secret: repeatable for rotation; HOOK_SECRET when no flag gives one. */
export const SECRET = {
  secret: repeatable(
    "--secret <secret>",
    "signing secret; repeat for rotation; env:NAME reads a variable",
    "HOOK_SECRET",
  ),
};

/** --forward-secret: what hook forwards is signed again with the app's own secret. */
export const FORWARD_SECRET = {
  forwardSecret: value(
    "--forward-secret <secret>",
    "re-sign what is forwarded with the app's own secret (env:NAME reads a variable)",
  ),
};

/** How the configurable providers (hmac, paypal) sign: the same flags wherever a provider is chosen. */
export const PROVIDER_SHAPE = {
  signatureHeader: value("--signature-header <name>", "hmac: the header that carries the signature"),
  algorithm: value("--algorithm <alg>", "hmac: sha1, sha256 or sha512"),
  encoding: value("--encoding <enc>", "hmac: hex or base64"),
  prefix: value("--prefix <text>", "hmac: text before the signature, e.g. sha256="),
  webhookId: value("--webhook-id <id>", "paypal: the webhook id that is part of the signed message"),
  cert: value("--cert <file>", "paypal: PEM certificate to verify with"),
  privateKey: value("--private-key <file>", "paypal: PEM private key to sign with"),
};

export const JSON_LINES = { json: toggle("--json", "one JSON object per line on stdout") };

export const DATA_DIR = { dataDir: value("--data-dir <dir>", "working data folder", ".hook") };

/** What choosing a provider reads: its name, its secrets and the shape flags. */
export type ProviderChoice = Partial<OptionsOf<typeof SECRET & typeof PROVIDER_SHAPE>> & {
  provider?: string;
  dataDir?: string;
};
