import { redactText } from "../redact.js";

/**
 * Text that came from outside (a header value, a fixture's contents, an API's error body) reaches a
 * terminal only through here: a raw ESC or BEL byte could clear the screen, retitle the window or
 * fake a line of hook's own output. Control characters become visible escapes instead.
 */

// C0 controls, DEL, C1 controls, and the bidi overrides that reorder what a reader sees.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

const NAMED: Record<string, string> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };

function visible(char: string): string {
  const named = NAMED[char];
  if (named) return named;
  const code = char.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u${code.toString(16)}`;
}

/** The text with every control character shown as an escape: "\x1b[2J", "\n". */
export function escapeControl(text: string): string {
  UNSAFE.lastIndex = 0;
  return UNSAFE.test(text) ? text.replace(UNSAFE, visible) : text;
}

// chalk's SGR colour codes, and line breaks between the lines of a block, are hook's own.
// biome-ignore lint/suspicious/noControlCharactersInRegex: the escape character is the point
const OWN_CODES = /(\x1b\[[0-9;]*m|\n)/;

/**
 * A human line as it may reach a terminal: redacted, and with every control character escaped
 * except hook's own colour codes and line breaks. Renderers escape the outside text they quote
 * (so a colour code from a request is shown, not obeyed); this is the net under all of them.
 */
export function humanText(text: string): string {
  const parts = redactText(text).split(OWN_CODES);
  for (let i = 0; i < parts.length; i += 2) parts[i] = escapeControl(parts[i] as string);
  return parts.join("");
}
