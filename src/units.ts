import { UsageError } from "./errors.js";

const durationUnits: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const sizeUnits: Record<string, number> = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 };

/**
 * "500ms", "30s", "5m", "1h", "2d" -> milliseconds. The one parser of every duration flag. A bare
 * number other than 0 is refused: `--tolerance 300` meant seconds to one user and milliseconds to
 * the code, which rounded it to 0 and turned replay protection off. Never guess.
 */
export function parseDuration(text: string, flag = "duration"): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$/i.exec(text);
  if (!match?.[1]) {
    throw new UsageError(
      `${flag}: "${text}" is not a duration`,
      "use a number with a unit: 500ms, 30s, 5m, 1h, 2d",
    );
  }
  const amount = Number(match[1]);
  if (match[2] === undefined) {
    if (amount === 0) return 0;
    throw new UsageError(
      `${flag}: "${text.trim()}" has no unit`,
      `did you mean ${match[1]}s? (or ${match[1]}ms, ${match[1]}m; a bare number could be any of them)`,
    );
  }
  return Math.round(amount * (durationUnits[match[2].toLowerCase()] ?? 1));
}

/**
 * A duration in whole seconds (a signature's timestamp window), rounded up: 500ms is 1s, never 0,
 * because 0 means "no window at all".
 */
export function parseSeconds(text: string, flag = "duration"): number {
  return Math.ceil(parseDuration(text, flag) / 1000);
}

/** "512kb", "10mb" (or a bare number of bytes) -> bytes. */
export function parseSize(text: string, flag = "size"): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(b|kb|mb|gb)?\s*$/i.exec(text);
  if (!match?.[1]) {
    throw new UsageError(`${flag}: "${text}" is not a size`, "use a number with a unit: 512kb, 10mb");
  }
  const unit = (match[2] ?? "b").toLowerCase();
  return Math.round(Number(match[1]) * (sizeUnits[unit] ?? 1));
}

/** "1s,5s,30s" -> [1000, 5000, 30000]. */
export function parseSchedule(text: string, flag = "--retry"): number[] {
  const steps = text
    .split(",")
    .map((part) => part.trim())
    .filter(Boolean);
  if (steps.length === 0) throw new UsageError(`${flag}: the schedule is empty`, "for example: 1s,5s,30s,2m");
  return steps.map((step) => parseDuration(step, flag));
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)}s`;
  if (ms < 3_600_000) return `${Math.round(ms / 60_000)}m`;
  if (ms < 86_400_000) return `${Math.round(ms / 3_600_000)}h`;
  return `${Math.round(ms / 86_400_000)}d`;
}

export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes}b`;
  if (bytes < 1024 ** 2) return `${Math.round(bytes / 1024)}kb`;
  return `${Math.round(bytes / 1024 ** 2)}mb`;
}
