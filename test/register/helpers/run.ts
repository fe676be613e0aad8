import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { CliProcess } from "../../helpers/cli.js";
import {
  FAKE_CLOUDFLARED,
  type Listening,
  linesOf,
  startListen,
  waitForLines,
} from "../../listen/helpers.js";
import type { Case } from "./cases.js";
import type { FakeApi } from "./fake-api.js";

export const FAKE_DNS = fileURLToPath(new URL("./fake-dns.mjs", import.meta.url));

/** `hook listen --register` through the stand-in cloudflared, with the stand-in API and DNS. */
export async function listenRegistering(
  c: Case,
  fake: FakeApi,
  dir: string,
  options: { args?: string[]; env?: Record<string, string>; forwardTo?: string } = {},
): Promise<Listening> {
  const args = [
    "--cloudflared",
    FAKE_CLOUDFLARED,
    "--register",
    "--api-base",
    fake.url,
    ...(options.forwardTo ? ["-f", options.forwardTo] : []),
    ...c.args,
    ...(options.args ?? []),
  ];
  const listen = await startListen(args, {
    cwd: dir,
    tunnel: true,
    env: {
      ...c.env(fake),
      NODE_OPTIONS: `--import ${FAKE_DNS}`,
      FAKE_CLOUDFLARED_LOG: join(dir, "cloudflared.ndjson"),
      ...options.env,
    },
  });
  fake.receiver(listen.url);
  return listen;
}

export function registerLines(proc: CliProcess, state: string, count = 1) {
  return waitForLines(proc, "register", count, 20_000, (l) => l.state === state);
}

export const tunnelUrls = (proc: CliProcess) =>
  linesOf(proc, "tunnel")
    .filter((t) => t.state === "up")
    .map((t) => t.url as string);

/** Pids of the stand-in cloudflared processes started in `dir`, oldest first. */
export function cloudflaredPids(dir: string): number[] {
  return readFileSync(join(dir, "cloudflared.ndjson"), "utf8")
    .trim()
    .split("\n")
    .map((line) => (JSON.parse(line) as { pid: number }).pid);
}

export function recorded(dir: string): { id?: string; provider: string; kept?: boolean; url: string }[] {
  try {
    return JSON.parse(readFileSync(join(dir, ".hook", "registrations.json"), "utf8")).registrations;
  } catch {
    return [];
  }
}

/** Polls `check` until it holds (bounded); for state the stand-ins change asynchronously. */
export async function until(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
