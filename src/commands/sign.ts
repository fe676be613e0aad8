import type { CommandOptions } from "../cli.js";
import { HookError } from "../errors.js";
import type { Io } from "../ui/io.js";

export async function signCommand(_args: string[], _options: CommandOptions, _io: Io): Promise<number> {
  throw new HookError("sign: not built yet");
}
