import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { HookError } from "../../src/errors.js";
import { loadFixtures } from "../../src/store/fixture-reader.js";

function dir(files: Record<string, string | Buffer>): string {
  const root = mkdtempSync(join(tmpdir(), "hook-fixtures-"));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(root, name, ".."), { recursive: true });
    writeFileSync(join(root, name), text);
  }
  return root;
}

const fixture = (request: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ hook: 1, provider: "stripe", event: "x", request, ...extra });

function problem(paths: string[], cwd: string): string {
  try {
    loadFixtures(paths, cwd);
  } catch (error) {
    expect(error).toBeInstanceOf(HookError);
    expect((error as HookError).exitCode).toBe(2);
    return (error as Error).message;
  }
  throw new Error("expected a usage error");
}

describe("fixture reader", () => {
  it("reads fixtures and bare payloads, folders recursively in name order", () => {
    const root = dir({
      "b/2.json": fixture({ method: "POST", path: "/hooks?x=1", headers: { "X-A": "1" }, body: '{"a":1}' }),
      "a.json": '{"type":"bare"}',
      "b/10.json": fixture({
        method: "put",
        path: "/",
        bodyBase64: Buffer.from([0xff, 0x00]).toString("base64"),
      }),
      "b/notes.txt": "ignored",
    });
    const loaded = loadFixtures(["."], root);
    expect(loaded.map((f) => f.file)).toEqual(["a.json", "b/10.json", "b/2.json"]);
    expect(loaded[0]).toMatchObject({ bare: true, method: "POST", path: "/" });
    expect(Buffer.from(loaded[0]?.body ?? []).toString()).toBe('{"type":"bare"}');
    expect(loaded[1]).toMatchObject({ method: "PUT", bare: false });
    expect([...(loaded[1]?.body ?? [])]).toEqual([0xff, 0x00]);
    expect(loaded[2]).toMatchObject({ path: "/hooks?x=1", headers: { "x-a": "1" }, provider: "stripe" });
  });

  it("sends a bare payload's exact bytes: a BOM, any UTF-8, and bytes that are not UTF-8", () => {
    const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"name":"Zoë 日本 🎉"}')]);
    const notUtf8 = Buffer.concat([
      Buffer.from('{"raw":"'),
      Buffer.from([0xff, 0xc3, 0x28]),
      Buffer.from('"}'),
    ]);
    const replacement = Buffer.from('{"x":"\uFFFD \\uFFFD"}');
    const root = dir({ "a.json": bom, "b.json": notUtf8, "c.json": replacement });
    const bodies = loadFixtures(["."], root).map((f) => Buffer.from(f.body));
    expect(bodies).toEqual([bom, notUtf8, replacement]);
  });

  it("names files relative to the working folder inside it, and in full outside it", () => {
    const root = dir({ "in/a.json": "{}", "in/..b.json": "{}", "inner/c.json": "{}" });
    const cwd = join(root, "in");
    const names = (paths: string[], at: string) => loadFixtures(paths, at).map((f) => f.file);
    expect(names(["."], cwd)).toEqual(["a.json"]);
    // A name that starts with ".." is shown in full, as one outside the folder would be.
    expect(names(["..b.json"], cwd)).toEqual([join(cwd, "..b.json")]);
    expect(names([join(cwd, "a.json")], `${cwd}/`)).toEqual(["a.json"]);
    // A sibling folder whose name starts with the working folder's is outside it.
    expect(names(["../inner"], cwd)).toEqual([join(root, "inner", "c.json")]);
    expect(names(["in/a.json", "inner"], root)).toEqual(["in/a.json", "inner/c.json"]);
  });

  it("names the file and the field of every broken fixture", () => {
    const root = dir({
      "no-json.json": "{ nope",
      "path.json": fixture({ method: "POST", path: "hooks", body: "" }),
      "body.json": fixture({ method: "POST", path: "/", body: { a: 1 } }),
      "header.json": fixture({ method: "POST", path: "/", headers: { "X-A": 5 }, body: "" }),
      "provider.json": JSON.stringify({ hook: 1, request: { path: "/" } }),
      "version.json": JSON.stringify({ hook: 2, provider: "stripe", request: { path: "/" } }),
    });
    const message = problem(["."], root);
    expect(message).toContain("6 bad fixtures");
    expect(message).toMatch(/no-json\.json: not valid JSON/);
    expect(message).toContain('path.json: request.path: must be a string that starts with "/"');
    expect(message).toContain("body.json: request.body: must be the exact body text as a string");
    expect(message).toContain("header.json: request.headers.X-A: must be a string");
    expect(message).toContain("provider.json: provider:");
    expect(message).toContain("version.json: hook: unsupported format version 2");
  });

  it("reports a missing file and an empty folder", () => {
    const root = dir({ "empty/readme.txt": "x" });
    expect(problem(["nope.json"], root)).toBe("bad fixture nope.json: cannot read: no such file or folder");
    expect(problem(["empty"], root)).toContain("empty: folder has no *.json files");
  });
});
