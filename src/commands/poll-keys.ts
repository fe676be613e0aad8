import { UsageError } from "../errors.js";
import { getProvider } from "../providers/index.js";
import { rememberSecret } from "../redact.js";
import type { Io } from "../ui/io.js";
import { secretsFrom } from "./common.js";
import type { GlobalOptions } from "./options.js";

/** Where an API key can come from on the command line (and hook.config.json). */
export type KeyOptions = { apiKey?: string; publicKey?: string } & Pick<GlobalOptions, "configured">;

type Signer = (body: Uint8Array, deliveryId?: string) => Record<string, string>;

export function apiKey(options: KeyOptions, io: Io, variables: string[], what: string, who = "poll"): string {
  const key = optionalKey(options, io, variables);
  if (!key)
    throw new UsageError(
      `${who}: no ${what} API key`,
      `pass --api-key or set ${variables.join(" or ")} (env:NAME reads a variable)`,
    );
  return key;
}

export function optionalKey(options: KeyOptions, io: Io, variables: string[]): string | undefined {
  const key = fromFlagEnvOrConfig(options, "apiKey", io, variables);
  // From STRIPE_API_KEY or GITHUB_TOKEN too: masked wherever an API's answer echoes it back.
  rememberSecret(key);
  return key;
}

/** flag > the provider's environment variable > hook.config.json, as everywhere else. */
export function fromFlagEnvOrConfig(
  options: KeyOptions,
  name: "apiKey" | "publicKey",
  io: Io,
  variables: string[],
): string | undefined {
  const given = options[name]?.trim();
  const fromEnv = variables
    .map((v) => io.env[v])
    .find((v) => v !== undefined && v.trim() !== "")
    ?.trim();
  if (given && !options.configured.includes(name)) return given;
  return fromEnv ?? (given || undefined);
}

/** Signs with the provider module, so the app's own verification runs unchanged. No --secret: unsigned. */
export function signer(providerName: string, options: { secret?: string[] }, io: Io): Signer {
  const secret = secretsFrom(options)[0];
  if (secret === undefined) return () => ({});
  let provider: ReturnType<typeof getProvider>;
  try {
    provider = getProvider(providerName);
  } catch {
    throw new UsageError(
      `poll: signing needs the ${providerName} provider, which this build does not have`,
      "run without --secret to deliver unsigned",
    );
  }
  return (body, deliveryId) => provider.sign({ body, secret, timestamp: io.now(), deliveryId });
}

const SIGNERS: Record<string, string> = { stripe: "stripe", github: "github", http: "standard" };

export function secretWarnings(provider: string, options: { secret?: string[] }): string[] {
  const secret = secretsFrom(options)[0];
  const name = SIGNERS[provider];
  if (secret === undefined || name === undefined) return [];
  const hint = getProvider(name).checkSecret?.(secret);
  return hint ? [`--secret: ${hint}`] : [];
}
