import { request } from "node:http";
import { type Listening, startListen } from "../listen/helpers.js";

export interface Inspecting extends Listening {
  /** http://127.0.0.1:PORT of the inspector. */
  inspectUrl: string;
  inspectPort: number;
}

/** `hook listen --json --port 0 --inspect-port 0 ...args`: the receiver and its inspector. */
export async function startInspecting(
  args: string[],
  options: { cwd: string; env?: Record<string, string | undefined> },
): Promise<Inspecting> {
  const listening = await startListen(["--inspect-port", "0", ...args], options);
  const match = listening.proc.stdout.match(/"kind":"ready"[^\n]*"inspectUrl":"([^"]+)"/);
  if (!match) throw new Error(`no inspectUrl on the ready line:\n${listening.proc.stdout}`);
  const inspectUrl = match[1] as string;
  return { ...listening, inspectUrl, inspectPort: Number(new URL(inspectUrl).port) };
}

export interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/**
 * A request with exactly these headers (fetch will not send a foreign Host or Origin, which the
 * DNS-rebinding and CSRF tests need).
 */
export function rawRequest(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: options.method ?? "GET", headers: options.headers }, (res) => {
      let body = "";
      res.setEncoding("utf8").on("data", (chunk: string) => {
        body += chunk;
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.setTimeout(10_000, () => req.destroy(new Error(`no answer from ${url}`)));
    req.on("error", reject);
    req.end(options.body);
  });
}

export async function getJson(url: string): Promise<Record<string, unknown>> {
  const res = await fetch(url);
  return (await res.json()) as Record<string, unknown>;
}

export async function postJson(
  url: string,
  body: unknown = {},
): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

/** Polls `probe` until it returns something (bounded): for the history that is written in batches. */
export async function eventually<T>(probe: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 50));
  }
}
