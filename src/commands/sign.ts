import { UsageError } from "../errors.js";
import { signRequest } from "../providers/sign-request.js";
import type { Provider } from "../providers/types.js";
import type { Io } from "../ui/io.js";
import { Output } from "../ui/output.js";
import { parseHeaderFlags, providerFrom, readBody, requireSecrets } from "./common.js";
import { curlCommand } from "./sign-curl.js";
import type { SignOptions } from "./sign-flags.js";
import { intOption, urlOption } from "./values.js";

/**
 * A provider's complaint about the secret. "That is <another kind of key>" is certainly wrong (a Stripe
 * sk_ key): exit 2. Anything softer (no whsec_ prefix) is a warning, since tests use made-up secrets.
 */
export function checkSecrets(provider: Provider, secrets: string[], out: Output): void {
  for (const secret of secrets) {
    const hint = provider.checkSecret?.(secret);
    if (!hint) continue;
    if (/^that (is|looks like)/.test(hint)) {
      throw new UsageError(`--secret is not a ${provider.name} webhook secret`, hint);
    }
    out.warn(`${provider.name}: ${hint}`);
  }
}

function timestampFrom(options: SignOptions, io: Io): Date {
  if (options.timestamp === undefined) return io.now();
  return new Date(intOption(options.timestamp, "--timestamp") * 1000);
}

/** The URL as typed: Twilio signs the exact text, so it is checked but never normalised. */
function urlFrom(options: SignOptions): string | undefined {
  const url = options.url ?? options.curl;
  if (url !== undefined) urlOption(url, options.url !== undefined ? "--url" : "--curl");
  return url;
}

export async function signCommand(_args: string[], options: SignOptions, io: Io): Promise<number> {
  const out = new Output(io, options);
  const provider = providerFrom(options);
  const secrets = provider.usesSecret === false ? [""] : requireSecrets(options, provider);
  checkSecrets(provider, provider.usesSecret === false ? [] : secrets, out);
  const input = {
    body: await readBody(options, io),
    // Signing uses one secret; the first is the current one when several are given for rotation.
    secret: secrets[0] ?? "",
    timestamp: timestampFrom(options, io),
    url: urlFrom(options),
  };
  const { headers, body, assumed } = signRequest(provider, input, parseHeaderFlags(options.header));
  for (const [name, value] of assumed) {
    out.warn(`${name}: ${value} assumed (the body does not say); --header "${name}: …" chooses another`);
  }
  if (options.json) {
    const extra = body ? { body: Buffer.from(body).toString("utf8") } : {};
    out.resultData("signature", { provider: provider.name, headers, ...extra });
  } else if (options.curl !== undefined) {
    const bodyFile = body ? undefined : options.bodyFile;
    const contentType = provider.contentType;
    out.result(curlCommand({ url: options.curl, headers, contentType, body: body ?? input.body, bodyFile }));
  } else if (body) {
    // LiqPay: the signature is a form field, so the signed body is the result.
    out.result(Buffer.from(body).toString("utf8"));
  } else if (Object.keys(headers).length === 0) {
    out.warn(`${provider.name} signs nothing: there are no headers to print`);
  } else {
    out.result(
      Object.entries(headers)
        .map(([name, value]) => `${name}: ${value}`)
        .join("\n"),
    );
  }
  return 0;
}
