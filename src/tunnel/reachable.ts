import dns from "node:dns";

type Lookup = (host: string) => Promise<unknown>;

export interface ReachableOptions {
  /** Injected by tests (no DNS offline); default: the system resolver. */
  lookup?: Lookup;
  intervalMs?: number;
  timeoutMs?: number;
  signal?: AbortSignal;
}

// Read at call time, not import time, so a resolver swapped in before the call is the one used.
const systemLookup: Lookup = (host) => dns.promises.lookup(host);

/**
 * Whether a new quick tunnel's hostname resolves yet, asking every `intervalMs` up to `timeoutMs`.
 * A provider that is handed the URL before it resolves may cache the failure (Telegram does).
 */
export async function waitForDns(host: string, options: ReachableOptions = {}): Promise<boolean> {
  const lookup = options.lookup ?? systemLookup;
  const interval = options.intervalMs ?? 1_000;
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  for (;;) {
    if (options.signal?.aborted) return false;
    try {
      // One answer may hang (a resolver that never replies): it gets what is left of the deadline.
      await Promise.race([lookup(host), expire(deadline - Date.now())]);
      return true;
    } catch {
      if (Date.now() + interval > deadline) return false;
      await new Promise((resolve) => setTimeout(resolve, interval).unref());
    }
  }
}

function expire(ms: number): Promise<never> {
  return new Promise((_, reject) =>
    setTimeout(() => reject(new Error("no answer")), Math.max(0, ms)).unref(),
  );
}
