import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { errorMessage, UsageError } from "../errors.js";
import { getProvider } from "../providers/index.js";
import type { Provider, ProviderOptions } from "../providers/types.js";
import { isSecretHeader, rememberSecret } from "../redact.js";
import type { Io } from "../ui/io.js";
import { type ProviderChoice, toList } from "./options.js";

/**
 * The provider named by --provider, with the hmac/paypal shape options. Unknown name: exit 2.
 * `placeholder` fills what no flag gave (PayPal's webhook id until --register gets the real one).
 */
export function providerFrom(options: ProviderChoice, placeholder?: ProviderOptions): Provider {
  const name = options.provider;
  if (!name) throw new UsageError("--provider is required", "see `hook providers` for the list");
  return getProvider(name, providerOptionsFrom(options, placeholder));
}

export function providerOptionsFrom(
  options: ProviderChoice,
  placeholder: ProviderOptions = {},
): ProviderOptions {
  return {
    signatureHeader: options.signatureHeader ?? placeholder.signatureHeader,
    algorithm: options.algorithm ?? placeholder.algorithm,
    encoding: options.encoding ?? placeholder.encoding,
    prefix: options.prefix ?? placeholder.prefix,
    webhookId: options.webhookId ?? placeholder.webhookId,
    certFile: options.cert ?? placeholder.certFile,
    keyFile: options.privateKey ?? placeholder.keyFile,
    dataDir: options.dataDir ?? placeholder.dataDir,
  };
}

/** All --secret values (repeatable, HOOK_SECRET, config), blank ones dropped. */
export function secretsFrom(options: { secret?: string[] }): string[] {
  return toList(options.secret).filter((s) => s.trim() !== "");
}

/**
 * --forward-secret: the app's own secret, that what hook forwards is signed with again. It needs the
 * provider whose scheme signs it, and one that signs with a secret (not PayPal's certificates).
 */
export function forwardSecretFrom(
  options: { forwardSecret?: string },
  provider: Provider | undefined,
): string | undefined {
  const secret = options.forwardSecret;
  if (secret === undefined) return undefined;
  if (secret.trim() === "")
    throw new UsageError("--forward-secret is empty", "give the app's secret, or env:NAME");
  if (!provider || provider.name === "none") {
    throw new UsageError(
      "--forward-secret needs --provider",
      "the provider's scheme is what signs the request again",
    );
  }
  if (provider.usesSecret === false) {
    throw new UsageError(
      `--forward-secret: ${provider.name} signs with a certificate, not a secret`,
      "the app verifies the provider's own signature; forward without --forward-secret",
    );
  }
  return secret;
}

/** Secrets, required; a provider's own complaint about a secret (a Stripe sk_ key) is a hint. */
export function requireSecrets(options: { secret?: string[] }, provider: Provider): string[] {
  const secrets = secretsFrom(options);
  // PayPal verifies with a certificate: no secret to ask for.
  if (secrets.length === 0 && provider.name !== "none" && provider.usesSecret !== false) {
    throw new UsageError(
      `--secret is required for provider ${provider.name}`,
      "pass --secret, set HOOK_SECRET, or use env:NAME",
    );
  }
  return secrets;
}

/** "K: V" lines -> Headers. A line without a colon is a usage error that quotes it. */
export function parseHeaderFlags(lines: string[] | undefined): Headers {
  const headers = new Headers();
  for (const line of toList(lines)) {
    const colon = line.indexOf(":");
    if (colon <= 0)
      throw new UsageError(
        `--header "${line}" is not "Name: value"`,
        'for example --header "Stripe-Signature: t=…,v1=…"',
      );
    const name = line.slice(0, colon).trim();
    const value = line.slice(colon + 1).trim();
    // --header "Authorization: Bearer …" is a credential: masked wherever it is echoed back.
    if (isSecretHeader(name)) rememberSecret(value);
    try {
      headers.append(name, value);
    } catch {
      throw new UsageError(`--header "${line}" has a name or value that HTTP does not allow`);
    }
  }
  return headers;
}

/** The body from --body-file, or all of stdin. Bytes, untouched. */
export async function readBody(options: { bodyFile?: string }, io: Io): Promise<Uint8Array> {
  const file = options.bodyFile;
  if (file) {
    try {
      return readFileSync(resolve(io.cwd, file));
    } catch (error) {
      throw new UsageError(
        `--body-file: cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? errorMessage(error)}`,
      );
    }
  }
  if (io.stdin.isTTY) throw new UsageError("no body: pass --body-file FILE or pipe the body on stdin");
  const chunks: Buffer[] = [];
  for await (const chunk of io.stdin)
    chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string));
  return Buffer.concat(chunks);
}
