import type { Incoming } from "../receive/pipeline.js";
import type { Reply } from "../receive/replies.js";
import { startReceiver } from "../receive/server.js";
import { parseSize } from "../units.js";
import type { ListenOptions } from "./listen-flags.js";
import type { EarlyReceiver } from "./listen-serve.js";
import { portOption } from "./values.js";

type Handle = (incoming: Incoming) => Promise<Reply>;

/** What the port is bound with, as commander's strings: --port, --host, --max-body. */
export type Bind = Pick<ListenOptions, "port" | "host" | "maxBody">;

/**
 * The port, bound before the rest of listen loads (providers, undici, the outbox: most of its start-up
 * time), so a caller waiting for the port (a test, a CI step) waits for Node and little more. A request
 * that arrives meanwhile waits for the pipeline; if listen does not start, it gets the 500 of an error.
 */
export function bindEarly(options: Bind, now: () => Date): EarlyReceiver {
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
  const receiver = startReceiver({ host: options.host, port, maxBody, now, handle });
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
