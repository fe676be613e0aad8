import type { Incoming } from "../receive/pipeline.js";
import type { Reply } from "../receive/replies.js";
import { startReceiver } from "../receive/server.js";
import type { Io } from "../ui/io.js";
import { parseSize } from "../units.js";
import type { ListenOptions } from "./listen-flags.js";
import type { EarlyReceiver } from "./listen-serve.js";
import { portOption } from "./values.js";

type Handle = (incoming: Incoming) => Promise<Reply>;

/**
 * The port, bound before the rest of listen loads (providers, undici, the outbox: most of its start-up
 * time), so a caller waiting for the port (a test, a CI step) waits for Node and little more. A request
 * that arrives meanwhile waits for the pipeline; if listen does not start, it gets the 500 of an error.
 */
function bindEarly(options: ListenOptions, io: Io): EarlyReceiver {
  const port = portOption(options.port);
  const maxBody = parseSize(options.maxBody, "--max-body");
  let use: (handle: Handle) => void = () => {};
  let fail: (error: Error) => void = () => {};
  const handling = new Promise<Handle>((resolve, reject) => {
    use = resolve;
    fail = reject;
  });
  handling.catch(() => undefined);
  const handle: Handle = (incoming) => handling.then((h) => h(incoming));
  const receiver = startReceiver({ host: options.host, port, maxBody, now: io.now, handle });
  // Its error (a port in use) is thrown where it is awaited, after the flags have been checked.
  receiver.catch(() => undefined);
  return {
    port,
    maxBody,
    receiver,
    serve: (h) => use(h),
    async abandon() {
      fail(new Error("hook listen did not start"));
      const bound = await receiver.catch(() => undefined);
      await bound?.close(0);
    },
  };
}

/** hook listen: binds, then loads and starts everything else (listen-serve.ts). */
export async function listenCommand(_args: string[], options: ListenOptions, io: Io): Promise<number> {
  const early = bindEarly(options, io);
  try {
    const { serveListen } = await import("./listen-serve.js");
    return await serveListen(options, io, early);
  } catch (error) {
    await early.abandon();
    throw error;
  }
}
