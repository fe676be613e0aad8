import type { Command } from "commander";
import type { Io } from "../ui/io.js";
import { type Flags, type GlobalOptions, type OptionsOf, readOptions } from "./options.js";

/** A command's implementation: its operands, its typed options, the io; returns the exit code. */
type Runner<O> = (args: string[], options: O, io: Io, program: Command) => Promise<number | undefined>;

/** A command as cli.ts lists it: what `hook --help` shows, and how to load the rest. */
export interface Listed {
  name: string;
  description: string;
  /** Operands as commander spells them ("<path...>", "[entry]"), each with its description. */
  args: [string, string][];
  /** False for a command without options (`hook completion`): its help line has no [options]. */
  hasFlags: boolean;
  /** Every command's flags are defined before it runs: it reads the whole program (completion). */
  wholeProgram: boolean;
  /** Its flags: loaded when it is the command being parsed (or its help shown), never for `hook --help`. */
  flags(): Promise<Flags>;
  /** Loads the implementation, types commander's values by the flags, runs it. */
  run(
    args: string[],
    raw: Record<string, unknown>,
    globals: GlobalOptions,
    io: Io,
    program: Command,
  ): Promise<number | undefined>;
}

interface Definition<F extends Flags> {
  name: string;
  description: string;
  args?: [string, string][];
  /** NO_FLAGS for a command without options. */
  flags: () => Promise<F>;
  run: () => Promise<Runner<OptionsOf<F>>>;
  wholeProgram?: boolean;
}

export const NO_FLAGS = async (): Promise<Record<never, never>> => ({});

/** Ties a command's flags to its runner: the options it gets are the type its flags declare. */
export function command<F extends Flags>(definition: Definition<F>): Listed {
  const { flags } = definition;
  return {
    name: definition.name,
    description: definition.description,
    args: definition.args ?? [],
    hasFlags: flags !== NO_FLAGS,
    wholeProgram: definition.wholeProgram === true,
    flags,
    async run(args, raw, globals, io, program) {
      const runner = await definition.run();
      // then(), not await: its value keeps the type F (await would make it Awaited<F>).
      return flags().then((declared) => runner(args, readOptions(declared, raw, globals), io, program));
    },
  };
}
