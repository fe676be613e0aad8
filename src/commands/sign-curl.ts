import { utf8 } from "../providers/crypto.js";

/** POSIX single quotes: nothing inside is special except the quote itself. */
export function shellQuote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

/** Bytes that are not text (or hold a NUL) go in bash/zsh $'\xNN' quoting, byte for byte. */
function binaryQuote(body: Uint8Array): string {
  let out = "$'";
  for (const byte of body) {
    const printable = byte >= 0x20 && byte < 0x7f && byte !== 0x27 && byte !== 0x5c;
    out += printable ? String.fromCharCode(byte) : `\\x${byte.toString(16).padStart(2, "0")}`;
  }
  return `${out}'`;
}

function isText(body: Uint8Array): boolean {
  if (body.includes(0)) return false;
  try {
    new TextDecoder("utf-8", { fatal: true }).decode(body);
    return true;
  } catch {
    return false;
  }
}

export interface CurlInput {
  url: string;
  headers: Record<string, string>;
  contentType: string;
  body: Uint8Array;
  /** A file that holds exactly `body`: then curl reads it, which keeps every byte. */
  bodyFile?: string;
}

/** A ready-to-paste curl command that sends exactly these bytes with these headers. */
export function curlCommand({ url, headers, contentType, body, bodyFile }: CurlInput): string {
  const lines = [`curl -sS -X POST ${shellQuote(url)}`];
  const names = Object.keys(headers).map((name) => name.toLowerCase());
  if (!names.includes("content-type")) lines.push(`-H ${shellQuote(`Content-Type: ${contentType}`)}`);
  for (const [name, value] of Object.entries(headers)) lines.push(`-H ${shellQuote(`${name}: ${value}`)}`);
  // --data-binary, never -d: -d strips newlines and would change the signed bytes.
  if (bodyFile) lines.push(`--data-binary ${shellQuote(`@${bodyFile}`)}`);
  else lines.push(`--data-binary ${isText(body) ? shellQuote(utf8.decode(body)) : binaryQuote(body)}`);
  return lines.join(" \\\n  ");
}
