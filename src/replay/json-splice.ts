/**
 * Edits one value inside a JSON text without re-serialising the rest: the untouched bytes stay
 * exactly as they were (key order, spacing, escapes, number spelling). The text must already have
 * passed JSON.parse, so the scanner can trust its structure.
 */

const WS = new Set([" ", "\t", "\n", "\r"]);

function skipWs(s: string, i: number): number {
  let j = i;
  while (j < s.length && WS.has(s[j] as string)) j++;
  return j;
}

function stringEnd(s: string, i: number): number {
  let j = i + 1;
  while (j < s.length && s[j] !== '"') j += s[j] === "\\" ? 2 : 1;
  return j + 1;
}

/** Index just after the value that starts at `i`. */
function valueEnd(s: string, i: number): number {
  const c = s[i];
  if (c === '"') return stringEnd(s, i);
  if (c !== "{" && c !== "[") {
    let j = i;
    while (j < s.length && !WS.has(s[j] as string) && !",]}".includes(s[j] as string)) j++;
    return j;
  }
  let depth = 0;
  let j = i;
  while (j < s.length) {
    const ch = s[j];
    if (ch === '"') {
      j = stringEnd(s, j);
      continue;
    }
    if (ch === "{" || ch === "[") depth++;
    else if (ch === "}" || ch === "]") {
      depth--;
      if (depth === 0) return j + 1;
    }
    j++;
  }
  return j;
}

interface Member {
  start: number;
  end: number;
}

interface Container {
  members: Map<string, Member>;
  /** Where a new member goes: just after the last value, or just after the opening bracket. */
  insertAt: number;
  empty: boolean;
}

/** The members of the object or array whose opening bracket is at `i`, keyed by name or index. */
function membersOf(s: string, i: number): Container {
  const isObject = s[i] === "{";
  const members = new Map<string, Member>();
  let j = skipWs(s, i + 1);
  let insertAt = i + 1;
  let index = 0;
  while (s[j] !== "}" && s[j] !== "]") {
    let key = String(index++);
    if (isObject) {
      const keyEnd = stringEnd(s, j);
      key = JSON.parse(s.slice(j, keyEnd)) as string;
      j = skipWs(s, skipWs(s, keyEnd) + 1); // past the colon
    }
    const end = valueEnd(s, j);
    members.set(key, { start: j, end }); // a repeated key: the last wins, as in JSON.parse
    insertAt = end;
    j = skipWs(s, end);
    if (s[j] === ",") j = skipWs(s, j + 1);
  }
  return { members, insertAt, empty: members.size === 0 };
}

export class SpliceError extends Error {}

/** Returns `text` with the value at `path` replaced by (or, for a new object key, set to) `value`. */
export function spliceJson(text: string, path: string[], value: unknown): string {
  const replacement = JSON.stringify(value);
  let at = skipWs(text, 0);
  for (let depth = 0; depth < path.length; depth++) {
    const segment = path[depth] as string;
    const where = path.slice(0, depth).join(".") || "the top level";
    const c = text[at];
    if (c !== "{" && c !== "[") throw new SpliceError(`${where} is not an object or array`);
    const container = membersOf(text, at);
    const member = container.members.get(segment);
    if (member) {
      at = member.start;
      if (depth === path.length - 1)
        return text.slice(0, member.start) + replacement + text.slice(member.end);
      continue;
    }
    if (c === "[") throw new SpliceError(`${where} has no item ${segment}`);
    if (depth < path.length - 1) throw new SpliceError(`${where} has no key "${segment}"`);
    // A new key at the end of the object; the existing members keep their bytes.
    const member2 = `${JSON.stringify(segment)}:${replacement}`;
    const insert = container.empty ? member2 : `,${member2}`;
    return text.slice(0, container.insertAt) + insert + text.slice(container.insertAt);
  }
  // An empty path means the whole document.
  return replacement;
}

/** "data.object.amount" -> ["data","object","amount"]; "\." keeps a dot inside a key. */
export function splitPath(path: string): string[] {
  const parts: string[] = [];
  let current = "";
  for (let i = 0; i < path.length; i++) {
    const c = path[i] as string;
    if (c === "\\" && path[i + 1] === ".") {
      current += ".";
      i++;
    } else if (c === ".") {
      parts.push(current);
      current = "";
    } else current += c;
  }
  parts.push(current);
  return parts;
}
