import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { BIN, ROOT } from "./cli.js";

const HOOKS = pathToFileURL(join(ROOT, "test/helpers/record-imports.mjs")).href;
/** A `node --import` script that records every module the process resolves (record-imports.mjs). */
export const REGISTER = `data:text/javascript,import{register}from"node:module";register(${JSON.stringify(HOOKS)});`;

/**
 * A `node --import` script that writes "(listen)" to the same record when a server starts listening,
 * so a test can see which modules load before the port is bound.
 */
export const MARK_LISTEN =
  'data:text/javascript,import net from"node:net";import{appendFileSync}from"node:fs";' +
  "const listen=net.Server.prototype.listen;net.Server.prototype.listen=function(...a){" +
  'appendFileSync(process.env.RECORD_IMPORTS,"(listen)\\n");return listen.apply(this,a)}';

/** The record's lines: dist/ files as "dist/…", packages by name, anything else as written. */
export function moduleNames(record: string): string[] {
  const urls = readFileSync(record, "utf8").split("\n").filter(Boolean);
  return urls.map(
    (url) => url.match(/\/(dist\/.*)$/)?.[1] ?? url.match(/node_modules\/((@[^/]+\/)?[^/]+)\//)?.[1] ?? url,
  );
}

export interface Recorded {
  status: number | null;
  stdout: string;
  stderr: string;
  loaded: string[];
}

/** Runs `hook ...args` in `cwd` on pipes, recording every module it resolves (`dir` holds the record). */
export function importsOf(
  args: string[],
  dir: string,
  options: { cwd?: string; env?: Record<string, string> } = {},
): Recorded {
  const record = join(dir, `imports-${args.join("-")}-${Math.random().toString(36).slice(2)}.txt`);
  const result = spawnSync(process.execPath, ["--import", REGISTER, BIN, ...args], {
    cwd: options.cwd ?? ROOT,
    env: { PATH: process.env.PATH, RECORD_IMPORTS: record, NO_COLOR: "1", ...options.env },
    encoding: "utf8",
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr, loaded: moduleNames(record) };
}
