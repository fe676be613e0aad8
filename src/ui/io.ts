import type { Readable, Writable } from "node:stream";

/** The outside world a command talks to. Tests pass their own; cli.ts passes the process's. */
export interface Io {
  cwd: string;
  env: NodeJS.ProcessEnv;
  stdin: Readable & { isTTY?: boolean };
  stdout: Writable & { isTTY?: boolean };
  stderr: Writable & { isTTY?: boolean; columns?: number };
  now: () => Date;
  /**
   * Resolves when the user asks to stop (Ctrl-C, SIGTERM). Long-running commands race their work
   * against it; reading it is what installs the handlers, so short commands keep Node's default.
   */
  readonly interrupted: Promise<void>;
}

export function processIo(): Io {
  let interrupted: Promise<void> | undefined;
  return {
    cwd: process.cwd(),
    env: process.env,
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
    now: () => new Date(),
    get interrupted() {
      interrupted ??= new Promise<void>((resolve) => {
        let count = 0;
        const onSignal = () => {
          count += 1;
          if (count > 1) process.exit(130); // a second Ctrl-C does not wait for the clean shutdown
          resolve();
        };
        process.on("SIGINT", onSignal);
        process.on("SIGTERM", onSignal);
      });
      return interrupted;
    },
  };
}
