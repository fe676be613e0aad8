// What the benches share: a free loopback port, and waiting (bounded) until something answers.
import { createServer } from "node:http";

/** A port nothing listens on right now, on 127.0.0.1. */
export function freePort() {
  return new Promise((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Resolves once `url` answers at all (any status), for at most 10 s. */
export async function waitUp(url, init = {}) {
  for (let i = 0; i < 200; i += 1) {
    try {
      await fetch(url, init);
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  throw new Error(`nothing answers at ${url}`);
}
