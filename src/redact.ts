/**
 * The one redaction of everything hook shows or writes: human lines, --json, reports, saved fixtures,
 * error messages. Secrets are found three ways: by where they sit (a credential header, a URL's
 * user:pass@, a query parameter named like a key), by their shape (a Telegram bot token, a Bearer
 * credential), and by value (the --secret, --api-key and env: values this run was given).
 */

/** What a header's value becomes. Replay drops a header with this value: it cannot be sent. */
export const REDACTED = "[redacted]";
/** What a secret in a URL becomes: short, and never re-encoded (brackets would be %5B…%5D). */
export const URL_REDACTED = "***";

/** Headers whose values are credentials, whatever their provider. */
const SECRET_HEADERS = new Set([
  "authorization",
  "proxy-authorization",
  "cookie",
  "set-cookie",
  "x-telegram-bot-api-secret-token",
  "x-api-key",
  "api-key",
  "apikey",
  "x-auth-token",
]);

/** Any other header named like a credential: x-shopify-access-token, x-hook-secret, x-amz-security-token. */
const SECRET_HEADER_NAME = /(^|[-_])(token|secret|password|passwd|api-?key|access-?key|session)([-_]|$)/;

/** Query parameters named like a credential: api_key, apiKey, access_token, sig, password, auth. */
const SECRET_PARAM_NAME =
  /^(sig|signature|key|pass|pwd|auth)$|token|secret|passw|credential|api[-_]?key|access[-_]?key|private[-_]?key|(^|[-_])auth([-_]|$)/;

export function isSecretHeader(name: string): boolean {
  const key = name.toLowerCase();
  return SECRET_HEADERS.has(key) || SECRET_HEADER_NAME.test(key);
}

function isSecretParam(name: string): boolean {
  let decoded = name;
  try {
    decoded = decodeURIComponent(name);
  } catch {
    // A malformed escape: judge the raw name.
  }
  return SECRET_PARAM_NAME.test(decoded.toLowerCase());
}

/** Header names lower-cased, credential values replaced by "[redacted]". */
export function redactHeaders(
  headers: Iterable<readonly [string, string]> | Record<string, string>,
): Record<string, string> {
  const entries = Symbol.iterator in headers ? headers : Object.entries(headers);
  const out: Record<string, string> = {};
  for (const [name, value] of entries as Iterable<readonly [string, string]>) {
    const key = name.toLowerCase();
    out[key] = isSecretHeader(key) ? REDACTED : redactText(value);
  }
  return out;
}

// scheme://user:pass@ or scheme://token@
const USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s/?#@"'<>]+)@/gi;
// ?name=value or &name=value, inside a URL, a path or any text that quotes one.
const QUERY_PARAM = /([?&;])([^=&;#\s"'<>?]+)=([^&;#\s"'<>]*)/g;
// Telegram's bot token (123456789:AA…35 characters), in a Bot API URL or a webhook path.
const TELEGRAM_TOKEN = /\b(bot)?\d{6,12}:[A-Za-z0-9_-]{30,}/g;
// An Authorization value quoted in an error or an echoed request.
// The lookahead wants a digit or a symbol, so prose ("Basic authentication") is left alone.
const AUTH_SCHEME = /\b(Bearer|Basic|Token|Bot)\s+(?=[A-Za-z0-9._~+/=-]*[0-9._~+/=])[A-Za-z0-9._~+/=-]{8,}/gi;

/**
 * user:pass@ keeps the user, who says which account; a user without a password is the credential
 * itself (https://TOKEN@github.com, Stripe's https://sk_test_…:@api.stripe.com).
 */
function userinfo(scheme: string, info: string): string {
  const colon = info.indexOf(":");
  if (colon > 0 && colon < info.length - 1) return `${scheme}${info.slice(0, colon)}:${URL_REDACTED}@`;
  return `${scheme}${URL_REDACTED}${colon >= 0 ? ":" : ""}@`;
}

/**
 * A URL (absolute, or a path with its query) with its credentials masked. Only the secret parts
 * change; the rest keeps its bytes, so `created[gte]=…` is not re-encoded.
 */
export function redactUrl(url: string): string {
  return redactText(url);
}

/** Values shorter than this are not hunted by value: masking every "x" would wreck the output. */
const MIN_LITERAL = 6;
const literals = new Set<string>();

/**
 * Secret values this run was given (--secret, --api-key, --tunnel-token, env: values, credential
 * --header values). Kept for the whole process, as the run's secrets are: whatever prints later,
 * from any module, masks them, even when an API or an app echoes one back.
 */
export function rememberSecret(value: string | undefined): void {
  const trimmed = value?.trim();
  if (trimmed && trimmed.length >= MIN_LITERAL) literals.add(trimmed);
}

/**
 * Whether some ":" has six digits right before it, as every bot token has. Checked by hand before the
 * pattern runs: JSON and URLs are full of colons (ports, "key":), rarely after six digits.
 */
function sixDigitsThenColon(text: string): boolean {
  for (let colon = text.indexOf(":", 6); colon >= 0; colon = text.indexOf(":", colon + 1)) {
    let digits = 0;
    while (digits < 6 && isDigit(text.charCodeAt(colon - 1 - digits))) digits += 1;
    if (digits === 6) return true;
  }
  return false;
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

/** Free text (a line, an error message, a JSON document) with every secret it holds masked. */
export function redactText(text: string): string {
  let out = text;
  // Each pattern runs only where its literal part occurs: a --json line always holds "://" and ":",
  // and scanning it with USERINFO was half the cost of redacting it.
  if (out.includes("://") && out.includes("@")) {
    out = out.replace(USERINFO, (_m, scheme: string, info: string) => userinfo(scheme, info));
  }
  if (out.includes("=")) {
    out = out.replace(QUERY_PARAM, (whole, sep: string, name: string, value: string) =>
      value !== "" && value !== URL_REDACTED && isSecretParam(name) ? `${sep}${name}=${URL_REDACTED}` : whole,
    );
  }
  if (sixDigitsThenColon(out))
    out = out.replace(TELEGRAM_TOKEN, (_m, bot?: string) => `${bot ?? ""}${URL_REDACTED}`);
  if (out.includes(" ")) out = out.replace(AUTH_SCHEME, `$1 ${URL_REDACTED}`);
  for (const secret of literals) {
    if (out.includes(secret)) out = out.replaceAll(secret, maskSecret(secret));
  }
  return out;
}

/** Never print a secret in full: "whsec_…a1b2" (a prefix says which kind; the tail tells two apart). */
export function maskSecret(secret: string): string {
  const prefix = /^[a-z]+_/i.exec(secret)?.[0] ?? "";
  if (secret.length < 12) return `${prefix}…`;
  return `${prefix}…${secret.slice(-4)}`;
}
