import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve, sep } from "node:path";
import { errorMessage, UsageError } from "../errors.js";
import { isObject } from "../is-object.js";

/** One request ready to be re-sent: a fixture file or a bare payload, read and checked. */
export interface LoadedFixture {
  /** The file, as the user would recognise it (relative to the working folder when inside it). */
  file: string;
  /** The fixture's provider; undefined for a bare payload. */
  provider?: string;
  event?: string;
  id?: string;
  method: string;
  /** Path and query: "/webhooks/stripe?x=1". "/" for a bare payload. */
  path: string;
  /** Lower-case names. */
  headers: Record<string, string>;
  /** The exact bytes. */
  body: Uint8Array;
  bare: boolean;
}

/** A fixture that could not be used: the file, the field (when one is at fault) and why. */
export interface FixtureProblem {
  file: string;
  field?: string;
  reason: string;
}

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Every *.json below `dir`, recursively, in code-point order of the relative path (stable everywhere). */
export function listJsonFiles(dir: string): string[] {
  const keyed: { full: string; key: string }[] = [];
  // The sort key (the path relative to `dir`, what path.relative() would give) is built while
  // walking, one entry name at a time, rather than by path.relative() on every file afterwards.
  // path.join() once per folder, then concatenation: joined per entry it normalised the whole path
  // again for each of 10,000 files, a third of the walk's time. (An entry name has no separator and
  // is never "." or "..", so the prefix is what join() would put before it.)
  const walk = (current: string, rel: string): void => {
    const prefix = join(current, "x").slice(0, -1);
    for (const entry of readdirSync(current, { withFileTypes: true })) {
      const name = entry.name;
      if (name.startsWith(".") || name === "node_modules") continue;
      const key = rel === "" ? name : `${rel}${sep}${name}`;
      if (entry.isDirectory()) walk(`${prefix}${name}`, key);
      else if (entry.isFile() && name.toLowerCase().endsWith(".json"))
        keyed.push({ full: `${prefix}${name}`, key });
    }
  };
  walk(dir, "");
  keyed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return keyed.map((k) => k.full);
}

/** Files and folders -> the fixture files they name, in order. Problems are collected, not thrown. */
function expandPaths(paths: string[], cwd: string, problems: FixtureProblem[]): string[] {
  const files: string[] = [];
  for (const path of paths) {
    const full = resolve(cwd, path);
    let isDir = false;
    try {
      isDir = statSync(full).isDirectory();
    } catch (error) {
      problems.push({ file: path, reason: `cannot read: ${errnoText(error)}` });
      continue;
    }
    if (!isDir) {
      files.push(full);
      continue;
    }
    const inside = listJsonFiles(full);
    if (inside.length === 0) problems.push({ file: path, reason: "folder has no *.json files" });
    files.push(...inside);
  }
  return files;
}

function errnoText(error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  if (e.code === "ENOENT") return "no such file or folder";
  if (e.code === "EACCES") return "permission denied";
  return e.code ?? e.message;
}

/** The working folder as a path prefix, for the last `cwd` seen: every file of a run shares it. */
let cwdPrefix = { cwd: "", prefix: "" };

function displayName(full: string, cwd: string): string {
  if (cwdPrefix.cwd !== cwd) cwdPrefix = { cwd, prefix: join(resolve(cwd), "x").slice(0, -1) };
  // Inside the folder (the common case) the relative path is the rest of the string: path.relative()
  // resolved both paths again for each of 10,000 files. Anything else takes the long way.
  const { prefix } = cwdPrefix;
  const rel = full.startsWith(prefix) ? full.slice(prefix.length) : relative(cwd, full);
  return rel.startsWith("..") || rel === "" ? full : rel;
}

/** Reads one file: a fixture (has a "hook" key) or a bare payload (any other JSON). */
export function readFixtureFile(full: string, cwd: string): LoadedFixture | FixtureProblem {
  const file = displayName(full, cwd);
  let text: string;
  try {
    // As text: Node reads and decodes a file in one call then, a sixth cheaper than as bytes.
    text = readFileSync(full, "utf8");
  } catch (error) {
    return { file, reason: `cannot read: ${errnoText(error)}` };
  }
  let value: unknown;
  try {
    // A leading BOM is legal in a file but not in JSON.parse; the bytes sent keep it.
    value = JSON.parse(text.replace(/^\uFEFF/, ""));
  } catch (error) {
    return { file, reason: `not valid JSON: ${errorMessage(error)}` };
  }
  if (!isObject(value) || !("hook" in value)) {
    try {
      return { file, method: "POST", path: "/", headers: {}, body: exactBytes(full, text), bare: true };
    } catch (error) {
      return { file, reason: `cannot read: ${errnoText(error)}` };
    }
  }
  return parseFixture(value, file);
}

/**
 * A bare payload's body is the file's exact bytes. Valid UTF-8 (its BOM included) encodes back to
 * them; a file with bytes that are not UTF-8 decoded to U+FFFD somewhere, and is read again as bytes.
 */
function exactBytes(full: string, text: string): Buffer {
  return text.includes("\uFFFD") ? readFileSync(full) : Buffer.from(text, "utf8");
}

/** Checks a fixture object's shape; every complaint names the field. */
function parseFixture(value: Record<string, unknown>, file: string): LoadedFixture | FixtureProblem {
  const bad = (field: string, reason: string): FixtureProblem => ({ file, field, reason });
  if (value.hook !== 1)
    return bad("hook", `unsupported format version ${JSON.stringify(value.hook)} (expected 1)`);
  if (typeof value.provider !== "string" || value.provider === "") {
    return bad("provider", 'must be a provider name such as "stripe" (see `hook providers`)');
  }
  for (const key of ["event", "id", "receivedAt"] as const) {
    if (value[key] !== undefined && typeof value[key] !== "string") return bad(key, "must be a string");
  }
  const request = value.request;
  if (!isObject(request)) return bad("request", "must be an object with method, path, headers and body");
  const method = request.method ?? "POST";
  if (typeof method !== "string" || !TOKEN.test(method))
    return bad("request.method", 'must be an HTTP method such as "POST"');
  if (typeof request.path !== "string" || !request.path.startsWith("/")) {
    return bad("request.path", 'must be a string that starts with "/", such as "/webhooks"');
  }
  const headers = parseHeaders(request.headers, bad);
  if ("reason" in headers) return headers as FixtureProblem;
  const body = parseBody(request, bad);
  if (!(body instanceof Uint8Array)) return body;
  return {
    file,
    provider: value.provider,
    event: value.event as string | undefined,
    id: value.id as string | undefined,
    method: method.toUpperCase(),
    path: request.path,
    headers: headers as Record<string, string>,
    body,
    bare: false,
  };
}

type Bad = (field: string, reason: string) => FixtureProblem;

function parseHeaders(raw: unknown, bad: Bad): Record<string, string> | FixtureProblem {
  if (raw === undefined) return {};
  if (!isObject(raw)) return bad("request.headers", 'must be an object of "name": "value" strings');
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw)) {
    if (!TOKEN.test(name)) return bad(`request.headers.${name}`, "is not a valid header name");
    if (typeof value !== "string") return bad(`request.headers.${name}`, "must be a string");
    if (/[\r\n\0]/.test(value)) return bad(`request.headers.${name}`, "must not contain line breaks");
    headers[name.toLowerCase()] = value;
  }
  return headers;
}

function parseBody(request: Record<string, unknown>, bad: Bad): Uint8Array | FixtureProblem {
  const { body, bodyBase64 } = request;
  if (body !== undefined && bodyBase64 !== undefined) {
    return bad("request.body", "give either body or bodyBase64, not both");
  }
  if (bodyBase64 !== undefined) {
    if (typeof bodyBase64 !== "string" || !BASE64.test(bodyBase64.replace(/\s/g, ""))) {
      return bad("request.bodyBase64", "must be a base64 string");
    }
    return Buffer.from(bodyBase64, "base64");
  }
  if (body === undefined) return new Uint8Array(0);
  if (typeof body !== "string") {
    return bad(
      "request.body",
      "must be the exact body text as a string (a JSON body is a string here, not an object)",
    );
  }
  return Buffer.from(body, "utf8");
}

/** "file: field: reason" */
function formatProblem(problem: FixtureProblem): string {
  return [problem.file, problem.field, problem.reason].filter(Boolean).join(": ");
}

/**
 * Reads every fixture named by `paths` (files or folders). Any problem, in any file, is a usage
 * error listing them all: nothing is sent until every fixture is known to be good.
 */
export function loadFixtures(paths: string[], cwd: string): LoadedFixture[] {
  const problems: FixtureProblem[] = [];
  const loaded: LoadedFixture[] = [];
  for (const full of expandPaths(paths, cwd, problems)) {
    const result = readFixtureFile(full, cwd);
    if ("reason" in result) problems.push(result);
    else loaded.push(result);
  }
  if (problems.length > 0) throw brokenFixtures(problems);
  return loaded;
}

export function brokenFixtures(problems: FixtureProblem[]): UsageError {
  const first = problems[0] as FixtureProblem;
  if (problems.length === 1) {
    return new UsageError(
      `bad fixture ${formatProblem(first)}`,
      "nothing was sent; fix the file or leave it out",
    );
  }
  const list = problems.map((p) => `  ${formatProblem(p)}`).join("\n");
  return new UsageError(
    `${problems.length} bad fixtures:\n${list}`,
    "nothing was sent; fix the files or leave them out",
  );
}
