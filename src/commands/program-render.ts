import { Writable } from "node:stream";
import { commandNames, main } from "../cli.js";
import { Exit } from "../errors.js";
import type { Io } from "../ui/io.js";
import { HELP_WIDTH, type PrebuiltHelp } from "./program-help.js";

/** A stream that keeps what is written to it, shown as a terminal `columns` wide (or a pipe). */
function sink(columns: number | undefined): Writable & { text: string; isTTY: boolean; columns?: number } {
  const stream = Object.assign(new Writable(), { text: "", isTTY: columns !== undefined, columns });
  stream._write = (chunk: Buffer, _encoding, done) => {
    stream.text += chunk.toString("utf8");
    done();
  };
  return stream;
}

/**
 * What commander prints for `hook ...words` in `cwd` on a terminal `columns` wide (undefined: a
 * pipe): the whole CLI runs, as for a person. Anything on stderr or a failing exit is an error.
 */
export async function renderHelp(words: string[], cwd: string, columns?: number): Promise<string> {
  const stdout = sink(columns);
  const stderr = sink(columns);
  const io: Io = {
    cwd,
    env: {},
    stdin: process.stdin,
    stdout,
    stderr,
    now: () => new Date(),
    interrupted: new Promise(() => {}),
  };
  const code = await main(["node", "hook", ...words], io);
  if (code !== Exit.ok || stderr.text !== "") {
    throw new Error(`hook ${words.join(" ")} exited ${code}: ${stderr.text}`);
  }
  return stdout.text;
}

/** Every help screen, wrapped at HELP_WIDTH: what scripts/build.mjs saves for bin/hook.js. */
export async function renderHelpScreens(cwd: string): Promise<PrebuiltHelp> {
  const screens: Record<string, string> = { "": await renderHelp(["--help"], cwd, HELP_WIDTH) };
  for (const name of commandNames()) screens[name] = await renderHelp([name, "--help"], cwd, HELP_WIDTH);
  return { width: HELP_WIDTH, screens };
}
