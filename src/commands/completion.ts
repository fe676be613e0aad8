import type { Command, Option } from "commander";
import { UsageError } from "../errors.js";
import { providerNames } from "../providers/index.js";
import { builtinSamples } from "../store/builtin-fixtures.js";
import type { Io } from "../ui/io.js";
import { bashScript, fishScript, zshScript } from "./completion-scripts.js";
import type { CommandSpec, CompletionSpec, FlagSpec, Values } from "./completion-spec.js";
import { PROVIDERS as POLL_PROVIDERS } from "./poll-options.js";

/** What follows a flag, read from its own placeholder: <file> and <dir> are paths, --provider a provider. */
function flagValues(command: string, option: Option): Values | undefined {
  if (!option.required && !option.optional) return undefined;
  if (option.argChoices) return { words: option.argChoices };
  if (option.long === "--provider") return { words: command === "poll" ? POLL_PROVIDERS : providerNames() };
  return /<(file|dir)>/.test(option.flags) ? "files" : "any";
}

function flagSpec(command: string, option: Option): FlagSpec {
  const names = [option.short, option.long].filter((n): n is string => n !== undefined);
  return { names, description: option.description, value: flagValues(command, option) };
}

const visibleFlags = (cmd: Command, name: string): FlagSpec[] =>
  cmd
    .createHelp()
    .visibleOptions(cmd)
    .map((o) => flagSpec(name, o));

/** The samples' providers, and each one's events, as `hook trigger` and `hook fixtures` take them. */
function samples(): { providers: string[]; events: Record<string, string[]> } {
  const events: Record<string, string[]> = {};
  for (const sample of builtinSamples()) {
    events[sample.provider] = [...(events[sample.provider] ?? []), sample.event];
  }
  return { providers: Object.keys(events), events };
}

/** The completion spec, read from the commander program itself and the provider registry. */
function completionSpec(program: Command): CompletionSpec {
  const builtin = samples();
  const commands = program.commands
    .filter((cmd) => cmd.name() !== "help")
    .map((cmd): CommandSpec => {
      const name = cmd.name();
      const args = cmd.registeredArguments.map((arg): Values => {
        if (name === "completion") return { words: [...SHELLS] };
        if (arg.argChoices) return { words: arg.argChoices };
        if (arg.name() === "provider") return { words: builtin.providers };
        // Paths complete as file names; anything else (an event, an id) is left to the user.
        return /path|file|dir/.test(arg.name()) ? "files" : "any";
      });
      const variadic = cmd.registeredArguments.at(-1)?.variadic === true;
      const spec: CommandSpec = {
        name,
        description: cmd.description(),
        flags: visibleFlags(cmd, name),
        args,
        variadic,
      };
      if (cmd.registeredArguments.some((a) => a.name() === "event")) spec.eventsByProvider = builtin.events;
      return spec;
    });
  return { globalFlags: visibleFlags(program, ""), commands };
}

const SHELLS = ["bash", "zsh", "fish"] as const;
const RENDER = { bash: bashScript, zsh: zshScript, fish: fishScript };

/** `hook completion bash|zsh|fish`: prints the script; the program is the one being completed. */
export async function completionCommand(
  args: string[],
  _options: unknown,
  io: Io,
  program: Command,
): Promise<number> {
  const shell = args[0] as (typeof SHELLS)[number] | undefined;
  if (!shell || !SHELLS.includes(shell)) {
    throw new UsageError(
      `completion: unknown shell "${shell ?? ""}"`,
      `one of ${SHELLS.join(", ")}: hook completion bash > ~/.local/share/bash-completion/completions/hook`,
    );
  }
  io.stdout.write(RENDER[shell](completionSpec(program)));
  return 0;
}
