import { readFileSync, statSync } from "node:fs";
import { configPath } from "../config-path.js";

/**
 * The help screens as commander prints them, rendered at build time (scripts/build.mjs) so that
 * bin/hook.js can print one without loading commander or the command list. `screens[""]` is
 * `hook --help`; `screens[NAME]` is `hook NAME --help`. test/help-screens.test.ts renders every screen
 * through commander and compares it byte for byte with what the file makes bin/hook.js print.
 */
export interface PrebuiltHelp {
  /** The terminal width the screens were wrapped at (commander's width for a pipe, too). */
  width: number;
  screens: Record<string, string>;
}

/** commander wraps help at 80 columns when stdout is not a terminal; the screens are made for that. */
export const HELP_WIDTH = 80;

const HELP_FILE = new URL("../help.json", import.meta.url);
const HELP_FLAGS = ["--help", "-h"];

/**
 * Which screen the words ask for, by their shape alone: nothing, `--help`, `-h`, `help` (the
 * program's); `NAME --help`, `NAME -h`, `help NAME` (a command's). Any other words: none.
 */
function helpScreenName(words: string[]): string | undefined {
  const [first, second, ...rest] = words;
  if (rest.length > 0) return undefined;
  if (first === undefined) return "";
  if (second === undefined) return first === "help" || HELP_FLAGS.includes(first) ? "" : undefined;
  if (first === "help") return second;
  return HELP_FLAGS.includes(second) && !first.startsWith("-") ? first : undefined;
}

/**
 * A command's help reads the config file first (a broken one is an error, not help), so only the
 * program's screen, or a directory without one, can be answered from the file.
 */
function configMayApply(name: string, cwd: string): boolean {
  if (name === "") return false;
  try {
    return statSync(configPath(cwd), { throwIfNoEntry: false }) !== undefined;
  } catch {
    return true;
  }
}

function readScreens(): PrebuiltHelp | undefined {
  try {
    return JSON.parse(readFileSync(HELP_FILE, "utf8")) as PrebuiltHelp;
  } catch {
    return undefined; // not built (a bare `tsc`): commander prints it
  }
}

/**
 * Prints the prebuilt screen the words ask for and returns true, when it is provably what commander
 * would print: a known screen, stdout a pipe or file or a terminal exactly as wide as the screens, and
 * no config file to read. Otherwise prints nothing and returns false.
 */
export function printPrebuiltHelp(words: string[], cwd: string, out: NodeJS.WriteStream): boolean {
  const name = helpScreenName(words);
  if (name === undefined) return false;
  const help = readScreens();
  // Own keys only: `hook constructor --help` is no screen.
  const screen = help && Object.hasOwn(help.screens, name) ? help.screens[name] : undefined;
  if (help === undefined || typeof screen !== "string") return false;
  if (out.isTTY && out.columns !== help.width) return false;
  if (configMayApply(name, cwd)) return false;
  out.write(screen);
  return true;
}
