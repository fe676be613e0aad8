import { createHash } from "node:crypto";
import { link, mkdir, open, unlink } from "node:fs/promises";
import { join } from "node:path";
import { redactHeaders, redactUrl } from "../redact.js";
import { encodeBody, type Fixture } from "./fixture.js";

interface FixtureInput {
  provider: string;
  event?: string;
  id?: string;
  deliveryId?: string;
  method: string;
  path: string;
  headers: Iterable<[string, string]>;
  body: Uint8Array;
  receivedAt: Date;
  verification?: { ok: boolean; reason?: string };
}

/** The fixture object for a received request: exact body; credentials in headers and query redacted. */
export function toFixture(input: FixtureInput): Fixture {
  const fixture: Fixture = {
    hook: 1,
    provider: input.provider,
    event: input.event,
    id: input.id ?? input.deliveryId,
    request: {
      method: input.method,
      path: redactUrl(input.path),
      headers: redactHeaders(input.headers),
      ...encodeBody(input.body),
    },
    receivedAt: input.receivedAt.toISOString(),
  };
  if (input.verification && !input.verification.ok) fixture.verification = input.verification;
  return fixture;
}

/** Letters, digits, dot, dash and underscore only: safe on every file system, no path tricks. */
function safe(text: string, max: number): string {
  const cleaned = text
    .replace(/[^A-Za-z0-9._-]+/g, "_")
    .replace(/^[._]+/, "")
    .replace(/_+$/, "");
  return cleaned.slice(0, max) || "x";
}

/** `<provider>-<event-type>-<short id>`: the id's last 8 characters, or a hash of the body without one. */
export function fixtureBaseName(input: FixtureInput): string {
  const id = input.id ?? input.deliveryId;
  const short = id
    ? safe(id, 200).slice(-8)
    : createHash("sha256").update(input.body).digest("hex").slice(0, 8);
  return `${safe(input.provider, 40)}-${safe(input.event ?? "unknown", 80)}-${short}`;
}

/**
 * Writes a fixture into `dir` and returns its path. Atomic (temp file, fsync, then a hard link, which
 * fails instead of replacing) and never overwrites: a taken name gets -2, -3 ...
 */
export async function saveFixture(dir: string, input: FixtureInput): Promise<string> {
  await mkdir(dir, { recursive: true });
  const base = fixtureBaseName(input);
  const temp = join(dir, `.${base}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`);
  const handle = await open(temp, "wx", 0o600);
  try {
    await handle.write(`${JSON.stringify(toFixture(input), null, 2)}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    for (let n = 1; ; n += 1) {
      const path = join(dir, n === 1 ? `${base}.json` : `${base}-${n}.json`);
      try {
        await link(temp, path);
        return path;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      }
    }
  } finally {
    await unlink(temp).catch(() => undefined);
  }
}
