import { describe, expect, it } from "vitest";
import { resolveSecretRef } from "../src/config.js";
import type { HookError } from "../src/errors.js";
import { formatDuration, parseDuration, parseSchedule, parseSeconds, parseSize } from "../src/units.js";

describe("durations and sizes", () => {
  it.each([
    ["500ms", 500],
    ["30s", 30_000],
    ["5m", 300_000],
    ["1h", 3_600_000],
    ["2d", 172_800_000],
    ["1.5s", 1500],
    ["0", 0],
  ])("parses %s", (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it("rejects a bad duration with the flag's name and a hint", () => {
    expect(() => parseDuration("5 minutes", "--timeout")).toThrow(/--timeout: "5 minutes" is not a duration/);
    try {
      parseDuration("x", "--timeout");
    } catch (error) {
      expect((error as HookError).exitCode).toBe(2);
      expect((error as HookError).hint).toContain("30s");
    }
  });

  it("refuses a bare number other than 0 with a hint, because 300 could be seconds or milliseconds", () => {
    for (const text of ["300", "1", "0.5", "250"]) {
      try {
        parseDuration(text, "--tolerance");
        expect.unreachable(`${text} was accepted`);
      } catch (error) {
        expect((error as HookError).exitCode).toBe(2);
        expect((error as HookError).message).toBe(`--tolerance: "${text}" has no unit`);
        expect((error as HookError).hint).toContain(`did you mean ${text}s?`);
      }
    }
    expect(() => parseSchedule("1,5,30", "--retry")).toThrow(/--retry: "1" has no unit/);
  });

  it("rounds a window in seconds up, so only 0 means off", () => {
    expect(parseSeconds("0")).toBe(0);
    expect(parseSeconds("300ms")).toBe(1);
    expect(parseSeconds("1500ms")).toBe(2);
    expect(parseSeconds("5m")).toBe(300);
  });

  it("parses sizes in binary units", () => {
    expect(parseSize("512kb")).toBe(512 * 1024);
    expect(parseSize("10mb")).toBe(10 * 1024 * 1024);
    expect(parseSize("100")).toBe(100);
    expect(() => parseSize("ten", "--max-body")).toThrow(/--max-body/);
  });

  it("parses a retry schedule", () => {
    expect(parseSchedule("1s,5s, 30s,2m")).toEqual([1000, 5000, 30_000, 120_000]);
    expect(() => parseSchedule(",", "--retry")).toThrow(/schedule is empty/);
  });

  it("formats durations for people", () => {
    expect(formatDuration(250)).toBe("250ms");
    expect(formatDuration(3200)).toBe("3.2s");
    expect(formatDuration(720_000)).toBe("12m");
  });
});

describe("secret references", () => {
  it("reads env:NAME and leaves plain values alone", () => {
    expect(resolveSecretRef("env:MY_SECRET", { MY_SECRET: "whsec_x" }, "--secret")).toBe("whsec_x");
    expect(resolveSecretRef("whsec_plain", {}, "--secret")).toBe("whsec_plain");
  });

  it("names a missing variable", () => {
    expect(() => resolveSecretRef("env:NOPE", {}, "--secret")).toThrow(
      /--secret: environment variable NOPE is not set/,
    );
  });
});
