import { strictUtf8 } from "../utf8.js";

/** POSIX single quotes: nothing inside is special except the quote itself. */
function shellQuote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

/**
 * Bytes that are not text (or hold a NUL, which no shell argument can carry) are piped in from POSIX
 * printf, every unsafe byte as an octal escape: `printf '\173\377…' | curl … --data-binary @-`.
 */
function printfBytes(body: Uint8Array): string {
  let out = "";
  for (const byte of body) {
    const safe = byte >= 0x20 && byte < 0x7f && byte !== 0x27 && byte !== 0x5c && byte !== 0x25;
    out += safe ? String.fromCharCode(byte) : `\\${byte.toString(8).padStart(3, "0")}`;
  }
  return `printf '${out}'`;
}

function isText(body: Uint8Array): boolean {
  if (body.includes(0)) return false;
  try {
    strictUtf8.decode(body);
    return true;
  } catch {
    return false;
  }
}

interface CurlInput {
  url: string;
  headers: Record<string, string>;
  contentType: string;
  body: Uint8Array;
  /** A file that holds exactly `body`: then curl reads it, which keeps every byte. */
  bodyFile?: string;
  /** POST unless given (the inspector copies requests of any method). */
  method?: string;
}

/** A ready-to-paste curl command that sends exactly these bytes with these headers. */
export function curlCommand({ url, headers, contentType, body, bodyFile, method }: CurlInput): string {
  const verb = method ?? "POST";
  const lines = [`curl -sS -X ${/^[A-Z]+$/.test(verb) ? verb : shellQuote(verb)} ${shellQuote(url)}`];
  const names = Object.keys(headers).map((name) => name.toLowerCase());
  if (!names.includes("content-type")) lines.push(`-H ${shellQuote(`Content-Type: ${contentType}`)}`);
  for (const [name, value] of Object.entries(headers)) lines.push(`-H ${shellQuote(`${name}: ${value}`)}`);
  // --data-binary, never -d: -d strips newlines and would change the signed bytes.
  if (bodyFile) lines.push(`--data-binary ${shellQuote(`@${bodyFile}`)}`);
  // A leading @ makes curl read the rest as a file name (`@/etc/hostname` would send that file), so
  // such a body goes through printf and stdin like binary bytes do.
  else if (isText(body) && body[0] !== 0x40)
    lines.push(`--data-binary ${shellQuote(strictUtf8.decode(body))}`);
  else return `${printfBytes(body)} | ${[...lines, "--data-binary @-"].join(" \\\n  ")}`;
  return lines.join(" \\\n  ");
}
