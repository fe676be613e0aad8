/** What a word may be: one of these words, a file name, or anything (a URL, a secret: no guess). */
export type Values = { words: string[] } | "files" | "any";

export interface FlagSpec {
  /** "-p", "--port": every spelling. */
  names: string[];
  description: string;
  /** Undefined for a switch (--json); what its value may be otherwise. */
  value?: Values;
}

export interface CommandSpec {
  name: string;
  description: string;
  flags: FlagSpec[];
  /** One entry per positional argument; the last repeats when it is variadic. */
  args: Values[];
  /** The last argument repeats (replay PATH...). */
  variadic: boolean;
  /** `hook trigger PROVIDER EVENT`: the events each provider's built-in samples have. */
  eventsByProvider?: Record<string, string[]>;
}

export interface CompletionSpec {
  globalFlags: FlagSpec[];
  commands: CommandSpec[];
}
