import { UsageError } from "../errors.js";

/** --expect: "200", "2xx", or a list "200,202,4xx". */
export interface Expectation {
  text: string;
  matches(status: number): boolean;
}

export function parseExpect(text: string): Expectation {
  const parts = text
    .split(",")
    .map((p) => p.trim().toLowerCase())
    .filter(Boolean);
  const tests: ((status: number) => boolean)[] = [];
  for (const part of parts) {
    if (/^[1-5]\d\d$/.test(part)) tests.push((s) => s === Number(part));
    else if (/^[1-5]xx$/.test(part)) tests.push((s) => Math.floor(s / 100) === Number(part[0]));
    else
      throw new UsageError(
        `--expect: "${part}" is not a status (200), a class (2xx) or a list of them`,
        "for example --expect 2xx or --expect 200,202",
      );
  }
  if (tests.length === 0) throw new UsageError("--expect is empty", "for example --expect 2xx");
  return { text: parts.join(","), matches: (status) => tests.some((t) => t(status)) };
}
