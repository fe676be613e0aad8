import { randomBytes } from "node:crypto";
import { UsageError } from "../errors.js";
import type { EventBus } from "../events/types.js";
import { getProvider } from "../providers/index.js";
import type { ProviderOptions } from "../providers/types.js";
import type { VerifyKeys } from "../receive/keys.js";
import { registerContext } from "../register/context.js";
import { getRegistrar } from "../register/index.js";
import { RegistrationRecord } from "../register/record.js";
import { RegisterSession } from "../register/session.js";
import type { Credentials, RegisterContext, RegisterFlags, Registrar } from "../register/types.js";
import type { Io } from "../ui/io.js";
import { providerOptionsFrom, secretsFrom } from "./common.js";
import type { ListenOptions } from "./listen-flags.js";
import { fromFlagEnvOrConfig, type KeyOptions } from "./poll-keys.js";
import { urlOption } from "./values.js";

/** Everything --register needs, checked before anything listens. */
export interface RegisterPlan {
  registrar: Registrar;
  ctx: RegisterContext;
  /** The secret for providers that take one: --secret, else a strong generated one. Never printed. */
  secret: string;
  /** What verification starts with: that secret, or (the provider returns one) --secret, if any. */
  secrets: string[];
  /** --public-url: registered instead of the tunnel's. */
  publicUrl?: string;
  path?: string;
  keep: boolean;
  /** Provider options until the registration gives the real ones (PayPal's webhook id). */
  placeholder?: ProviderOptions;
}

/** Flags that only --register reads (attribute names). */
const REGISTER_ONLY = [
  "apiKey",
  "apiBase",
  "path",
  "publicUrl",
  "replace",
  "keep",
  "live",
  "repo",
  "org",
  "type",
  "condition",
  "typeVersion",
  "hub",
  "topic",
  "lease",
] as const satisfies readonly (keyof ListenOptions)[];

const SHARED_WITH_API = new Set(["apiKey", "apiBase", "repo", "org"]);

/** A register flag without --register would be silently ignored: say so (hook.config.json may keep them). */
export function checkRegisterFlags(options: ListenOptions): void {
  if (options.register === true) return;
  // --reconcile and --confirm read the provider's API too, with the same key, origin and scope.
  const api = options.reconcile === true || options.confirm === true;
  const given = REGISTER_ONLY.find(
    (name) =>
      options[name] !== undefined &&
      !options.configured.includes(name) &&
      !(api && SHARED_WITH_API.has(name)),
  );
  if (given)
    throw new UsageError(`${flagName(given)} applies only with --register`, "see `hook listen --help`");
}

/** "typeVersion" -> "--type-version" */
const flagName = (name: string) => `--${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

export function registerPlan(options: ListenOptions, io: Io): RegisterPlan {
  if (!options.provider) throw new UsageError("--register needs --provider", "for example --provider stripe");
  const registrar = getRegistrar(options.provider.toLowerCase());
  const publicUrl = options.publicUrl ? urlOption(options.publicUrl, "--public-url").href : undefined;
  if (options.tunnel === false && !publicUrl) {
    throw new UsageError(
      "--register with --no-tunnel needs --public-url URL",
      "the public URL your own proxy serves, which the provider will call",
    );
  }
  const flags = { ...registerFlags(options), publicUrl };
  const credentials = credentialsFrom(registrar, options, io);
  registrar.check?.(flags, credentials);
  const path = options.path === undefined ? undefined : `/${options.path.replace(/^\/+/, "")}`;
  const secret = secretsFrom(options)[0] ?? randomBytes(32).toString("base64url");
  const apiBase = options.apiBase ? urlOption(options.apiBase, "--api-base").origin : undefined;
  return {
    registrar,
    ctx: registerContext(registrar, credentials, flags, apiBase, [secret], io.env),
    // 32 random bytes, base64url: inside every provider's alphabet and length limits.
    secret,
    secrets: registrar.takesSecret ? [secret] : secretsFrom(options),
    publicUrl,
    path,
    keep: options.keep === true,
    placeholder: registrar.placeholder,
  };
}

function registerFlags(options: ListenOptions): RegisterFlags {
  const events = options.events
    ?.split(",")
    .map((e) => e.trim())
    .filter(Boolean);
  return {
    events,
    replace: options.replace === true,
    live: options.live === true,
    repo: options.repo,
    org: options.org,
    type: options.type,
    condition: options.condition,
    version: options.typeVersion,
    hub: options.hub,
    topic: options.topic,
    lease: options.lease,
  };
}

/** --api-key (ID:SECRET for the two-part ones) > the provider's variables > the config file. */
export function credentialsFrom(registrar: Registrar, options: KeyOptions, io: Io): Credentials {
  const [first, second] = registrar.variables;
  if (!first) return { key: "" };
  const given = fromFlagEnvOrConfig(options, "apiKey", io, second ? [] : [first]);
  if (second) {
    const [id, secret] = given?.includes(":")
      ? [given.slice(0, given.indexOf(":")), given.slice(given.indexOf(":") + 1)]
      : [io.env[first], io.env[second]];
    if (id && secret) return { key: id, secret };
    throw new UsageError(
      `--register with ${registrar.name} needs ${first} and ${second}`,
      "set both, or pass --api-key ID:SECRET",
    );
  }
  if (given) return { key: given };
  throw new UsageError(
    `--register with ${registrar.name} needs an API key`,
    `pass --api-key or set ${first}`,
  );
}

/** The registration of one listen run, fed by the tunnel's events; returns what stops it. */
export async function openRegistration(
  plan: RegisterPlan,
  options: ListenOptions,
  keys: VerifyKeys,
  dataDir: string,
  bus: EventBus,
  io: Io,
) {
  const { name } = plan.registrar;
  const session = new RegisterSession({
    ...plan,
    record: new RegistrationRecord(dataDir),
    emit: (record) => bus.emit({ kind: "register", record }),
    useKeys: ({ secret, options: extra }) => {
      if (secret) keys.use({ secrets: [secret] });
      if (extra) keys.use({ provider: getProvider(name, { ...providerOptionsFrom(options), ...extra }) });
    },
    awaitRequest: (pattern, ms) => awaitRequest(bus, pattern, ms),
    now: io.now,
  });
  await session.open();
  return (viaTunnel: boolean) => {
    if (!viaTunnel && plan.publicUrl) session.point(plan.publicUrl);
    const off = followTunnel(plan, session, bus);
    return async () => {
      off();
      await session.close();
    };
  };
}

/** Registers once the tunnel is reachable (again, after a restart), and says so when it never will be. */
function followTunnel(plan: RegisterPlan, session: RegisterSession, bus: EventBus): () => void {
  return bus.on((event) => {
    if (event.kind !== "tunnel") return;
    const { state, url, reason } = event.record;
    const target = plan.publicUrl ?? url;
    if (state === "reachable" && target) session.point(target);
    // No public URL (no cloudflared, offline, a name that never resolves): hook keeps listening.
    if (state === "unreachable")
      session.notRegistered(reason ?? "the tunnel's hostname does not resolve", url);
    if (state === "failed" && !session.registered) session.notRegistered("the tunnel did not come up");
  });
}

function awaitRequest(bus: EventBus, pattern: RegExp, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const off = bus.on((event) => {
      if (event.kind === "request" && pattern.test(event.record.path)) done(true);
    });
    const timer = setTimeout(() => done(false), ms);
    const done = (seen: boolean) => {
      clearTimeout(timer);
      off();
      resolve(seen);
    };
  });
}
