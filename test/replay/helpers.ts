import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { getProvider } from "../../src/providers/index.js";
import type { Received } from "../helpers/target.js";

export function tempDir(prefix = "hook-replay-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export interface FixtureSpec {
  provider: string;
  event?: string;
  id?: string;
  path?: string;
  headers?: Record<string, string>;
  body: string;
}

/** Writes a fixture file whose signature headers are real but stale: signed in 2020 with `staleSecret`. */
export function writeStaleFixture(dir: string, name: string, spec: FixtureSpec, staleSecret: string): string {
  const provider = getProvider(spec.provider);
  const stale = provider.sign({
    body: Buffer.from(spec.body),
    secret: staleSecret,
    timestamp: new Date("2020-01-01T00:00:00Z"),
    deliveryId: "stale-delivery-id",
    url: "https://old.example.com/",
  });
  const file = join(dir, name);
  mkdirSync(dirname(file), { recursive: true });
  const fixture = {
    hook: 1,
    provider: spec.provider,
    event: spec.event,
    id: spec.id,
    request: {
      method: "POST",
      path: spec.path ?? "/",
      headers: { ...spec.headers, ...stale },
      body: spec.body,
    },
    receivedAt: "2020-01-01T00:00:00.000Z",
  };
  writeFileSync(file, JSON.stringify(fixture, null, 2));
  return file;
}

export function header(request: Received, name: string): string {
  const value = request.headers[name.toLowerCase()];
  return Array.isArray(value) ? value.join(", ") : (value ?? "");
}
