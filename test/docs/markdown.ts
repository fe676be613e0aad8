import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { ROOT } from "../helpers/cli.js";

/** README.md and every Markdown file under docs/, relative to the repository root. */
export function markdownFiles(): string[] {
  const found = ["README.md"];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith(".md")) found.push(path);
    }
  };
  if (existsSync(join(ROOT, "docs"))) walk("docs");
  return found.sort();
}

/** The text outside fenced code blocks (a link or heading inside a code sample is not one). */
export function prose(markdown: string): string {
  return markdown.replace(/^```[^\n]*\n[\s\S]*?^```[^\n]*$/gm, "");
}

/** GitHub's anchor for each heading: lower case, punctuation dropped, spaces to dashes, -1 for repeats. */
export function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  for (const [, title] of prose(markdown).matchAll(/^#{1,6}\s+(.+?)\s*#*$/gm)) {
    const base = (title ?? "")
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, "")
      .replace(/\s/g, "-");
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n === 0 ? base : `${base}-${n}`);
  }
  return out;
}

export interface BrokenLink {
  file: string;
  link: string;
  why: string;
}

/** Every relative link in `file` whose target file, folder or #anchor does not exist. */
export function brokenLinks(file: string): BrokenLink[] {
  const text = readFileSync(join(ROOT, file), "utf8");
  const broken: BrokenLink[] = [];
  for (const [, link] of prose(text).matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) {
    if (!link || /^[a-z][a-z0-9+.-]*:/i.test(link)) continue; // http:, mailto:: not ours to check
    const [path = "", anchor] = link.split("#");
    const target = path === "" ? join(ROOT, file) : resolve(ROOT, dirname(file), decodeURI(path));
    if (!existsSync(target)) {
      broken.push({ file, link, why: `${relative(ROOT, target)} does not exist` });
    } else if (anchor && statSync(target).isFile() && target.endsWith(".md")) {
      if (!anchors(readFileSync(target, "utf8")).has(anchor.toLowerCase())) {
        broken.push({ file, link, why: `no heading gives #${anchor} in ${relative(ROOT, target)}` });
      }
    }
  }
  return broken;
}
