/**
 * Compare: why did this delivery fail and that one pass. Headers side by side, bodies as a line diff.
 * JSON bodies are pretty-printed first (for reading only: the stored bytes never change), so a
 * one-field difference in a one-line payload shows as one line.
 */
import { redactHeaders } from "../redact.js";
import { strictUtf8 } from "../utf8.js";
import type { Entry } from "./history.js";

type DiffLine = { op: "same" | "removed" | "added"; text: string };

interface HeaderRow {
  name: string;
  a: string | null;
  b: string | null;
  same: boolean;
}

/** Beyond this many line pairs the middle is shown as removed-then-added instead of an exact LCS. */
const MAX_CELLS = 4_000_000;

export function compareEntries(
  a: Entry,
  b: Entry,
): { a: number; b: number; headers: HeaderRow[]; body: DiffLine[] } {
  const ha = redactHeaders(a.record.headers);
  const hb = redactHeaders(b.record.headers);
  const names = [...new Set([...Object.keys(ha), ...Object.keys(hb)])].sort();
  const headers = names.map((name) => {
    const va = ha[name] ?? null;
    const vb = hb[name] ?? null;
    return { name, a: va, b: vb, same: va === vb };
  });
  return {
    a: a.record.n,
    b: b.record.n,
    headers,
    body: diffLines(readable(a.record.body), readable(b.record.body)),
  };
}

/** The body as lines to read: pretty JSON, else the text, else hex (16 bytes a line). */
function readable(body: Uint8Array): string[] {
  let text: string;
  try {
    // A BOM is not part of what a person reads, and would stop the JSON from being pretty-printed.
    text = strictUtf8.decode(body).replace(/^\uFEFF/, "");
  } catch {
    const hex = Buffer.from(body).toString("hex");
    return hex.match(/.{1,32}/g) ?? [];
  }
  try {
    return JSON.stringify(JSON.parse(text), null, 2).split("\n");
  } catch {
    return text.split("\n");
  }
}

/** A line diff: common prefix and suffix, then a longest-common-subsequence walk of the middle. */
function diffLines(a: string[], b: string[]): DiffLine[] {
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start += 1;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA -= 1;
    endB -= 1;
  }
  const same = (lines: string[]): DiffLine[] => lines.map((text) => ({ op: "same", text }));
  return [
    ...same(a.slice(0, start)),
    ...middle(a.slice(start, endA), b.slice(start, endB)),
    ...same(a.slice(endA)),
  ];
}

function middle(a: string[], b: string[]): DiffLine[] {
  const removed = (text: string): DiffLine => ({ op: "removed", text });
  const added = (text: string): DiffLine => ({ op: "added", text });
  if (a.length * b.length > MAX_CELLS) return [...a.map(removed), ...b.map(added)];
  // lcs[i][j]: the longest common subsequence of a[i..] and b[j..], one flat array.
  const width = b.length + 1;
  const lcs = new Uint32Array((a.length + 1) * width);
  for (let i = a.length - 1; i >= 0; i -= 1) {
    for (let j = b.length - 1; j >= 0; j -= 1) {
      lcs[i * width + j] =
        a[i] === b[j]
          ? (lcs[(i + 1) * width + j + 1] as number) + 1
          : Math.max(lcs[(i + 1) * width + j] as number, lcs[i * width + j + 1] as number);
    }
  }
  const out: DiffLine[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      out.push({ op: "same", text: a[i] as string });
      i += 1;
      j += 1;
    } else if ((lcs[(i + 1) * width + j] as number) >= (lcs[i * width + j + 1] as number)) {
      out.push(removed(a[i++] as string));
    } else {
      out.push(added(b[j++] as string));
    }
  }
  return [...out, ...a.slice(i).map(removed), ...b.slice(j).map(added)];
}
