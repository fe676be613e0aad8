import type { Io } from "../ui/io.js";
import { bindEarly } from "./listen-bind.js";
import { claimEarlyReceiver } from "./listen-early.js";
import type { ListenOptions } from "./listen-flags.js";

/** hook listen: binds, then loads and starts everything else (listen-serve.ts). */
export async function listenCommand(_args: string[], options: ListenOptions, io: Io): Promise<number> {
  // Bound already when bin/hook.js could read the port from the words alone (listen-early.ts).
  const early = (await claimEarlyReceiver(options)) ?? bindEarly(options, io.now);
  try {
    const { serveListen } = await import("./listen-serve.js");
    return await serveListen(options, io, early);
  } catch (error) {
    await early.abandon();
    throw error;
  }
}
