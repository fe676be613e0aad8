import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { HookError } from "../../src/errors.js";
import { parseExpect } from "../../src/replay/expect.js";
import { reportFormat, type Suite, writeReport } from "../../src/replay/report.js";

const suite: Suite = {
  name: "hook replay",
  timestamp: new Date("2026-11-27T12:00:00.123Z"),
  seconds: 1.5,
  cases: [
    { name: "a.json #1", classname: "stripe", seconds: 0.0124, outcome: "passed" },
    {
      name: 'b.json "2"',
      classname: "stripe",
      seconds: 0.2,
      outcome: "failure",
      message: "expected 2xx, got 500",
      detail: "expected 2xx, got 500\n<html>oops</html>",
    },
    { name: "c.json", classname: "github", seconds: 5, outcome: "error", message: "refused & gone" },
    { name: "scenario 6", classname: "check", seconds: 0, outcome: "skipped", message: "no timestamp" },
  ],
};

/** The JUnit report as CI reads it from disk. */
function junitXml(s: Suite): string {
  const cwd = mkdtempSync(join(tmpdir(), "hook-report-"));
  return readFileSync(writeReport("r.xml", cwd, s, {}), "utf8");
}

/** How `text` appears as a test case's name in the report. */
function xmlEscape(text: string): string {
  const xml = junitXml({ ...suite, cases: [{ name: text, classname: "c", seconds: 0, outcome: "passed" }] });
  return (/<testcase name="([\s\S]*)" classname="c"/.exec(xml) as RegExpExecArray)[1] as string;
}

describe("--report", () => {
  it("is JUnit XML for .xml and JSON for .json, in any case; anything else is a usage error", () => {
    expect(reportFormat("out/results.XML")).toBe("junit");
    expect(reportFormat("r.Json")).toBe("json");
    expect(() => reportFormat("results.txt")).toThrow(HookError);
    expect(() => reportFormat("results")).toThrow('--report: "results" must end in .xml (JUnit) or .json');
  });

  it("JUnit XML: counts on the suites, one case each, failure, error and skipped as CI readers expect", () => {
    expect(junitXml(suite)).toBe(
      [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<testsuites name="hook replay" tests="4" failures="1" errors="1" skipped="1" time="1.500">',
        '  <testsuite name="hook replay" tests="4" failures="1" errors="1" skipped="1" time="1.500" timestamp="2026-11-27T12:00:00">',
        '    <testcase name="a.json #1" classname="stripe" time="0.012"/>',
        '    <testcase name="b.json &quot;2&quot;" classname="stripe" time="0.200">',
        '      <failure message="expected 2xx, got 500" type="UnexpectedStatus">expected 2xx, got 500\n&lt;html&gt;oops&lt;/html&gt;</failure>',
        "    </testcase>",
        '    <testcase name="c.json" classname="github" time="5.000">',
        '      <error message="refused &amp; gone" type="NoAnswer">refused &amp; gone</error>',
        "    </testcase>",
        '    <testcase name="scenario 6" classname="check" time="0.000">',
        '      <skipped message="no timestamp"/>',
        "    </testcase>",
        "  </testsuite>",
        "</testsuites>",
        "",
      ].join("\n"),
    );
  });

  it("a case without a message still makes well-formed XML", () => {
    const xml = junitXml({
      ...suite,
      cases: [{ name: "x", classname: "y", seconds: 1, outcome: "failure" }],
    });
    expect(xml).toContain('<failure message="" type="UnexpectedStatus"></failure>');
    const skipped = junitXml({
      ...suite,
      cases: [{ name: "x", classname: "y", seconds: 1, outcome: "skipped" }],
    });
    expect(skipped).toContain('<skipped message=""/>');
  });

  it("XML text: markup escaped, characters XML 1.0 cannot carry replaced, the rest kept", () => {
    expect(xmlEscape('<a href="x">&amp;</a>')).toBe("&lt;a href=&quot;x&quot;&gt;&amp;amp;&lt;/a&gt;");
    expect(xmlEscape("bell\u0007 esc\u001b[2J nul\u0000 \uFFFE")).toBe(
      "bell\uFFFD esc\uFFFD[2J nul\uFFFD \uFFFD",
    );
    expect(xmlEscape("tab\t nl\n cr\r café ☕ 😀 \uE000")).toBe("tab\t nl\n cr\r café ☕ 😀 \uE000");
  });

  it("is written whole, to a path relative to the working folder, with no secret in it", () => {
    const cwd = mkdtempSync(join(tmpdir(), "hook-report-"));
    const leaky: Suite = {
      ...suite,
      cases: [{ name: "http://app/?api_key=sekrit123", classname: "x", seconds: 0, outcome: "passed" }],
    };
    const xmlPath = writeReport("r.xml", cwd, leaky, {});
    expect(xmlPath).toBe(join(cwd, "r.xml"));
    const xml = readFileSync(xmlPath, "utf8");
    expect(xml).not.toContain("sekrit123");
    expect(xml).toContain("api_key=***");
    const jsonPath = writeReport("r.json", cwd, suite, {
      url: "http://u:pass1234@app/",
      body: new Uint8Array([1]),
    });
    const text = readFileSync(jsonPath, "utf8");
    expect(text).not.toContain("pass1234");
    expect(text.endsWith("}\n")).toBe(true);
    expect(text).toContain('\n  "url": ');
    expect(JSON.parse(text)).not.toHaveProperty("body");
  });

  it("a report that cannot be written fails the run with the reason and a hint", () => {
    const cwd = mkdtempSync(join(tmpdir(), "hook-report-"));
    writeFileSync(join(cwd, "blocker"), "a file, not a folder");
    let error: unknown;
    try {
      writeReport("blocker/r.xml", cwd, suite, {});
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(HookError);
    expect((error as HookError).message).toMatch(/^--report: cannot write blocker\/r\.xml: E[A-Z]+$/);
    expect((error as HookError).hint).toBe("is the folder writable?");
    expect((error as HookError).exitCode).toBe(1);
  });
});

describe("--expect", () => {
  it("a status, a class or a list, spaces and case ignored", () => {
    const e = parseExpect(" 200, 4XX ,,");
    expect(e.text).toBe("200,4xx");
    expect([199, 200, 201, 399, 400, 404, 499, 500].map(e.matches)).toEqual([
      false,
      true,
      false,
      false,
      true,
      true,
      true,
      false,
    ]);
    expect(parseExpect("5xx").matches(503)).toBe(true);
    expect(parseExpect("1xx").matches(101)).toBe(true);
  });

  it("anything else is a usage error that names it", () => {
    for (const bad of ["20", "2000", "600", "6xx", "x2xx", "2xxx", "ok", "200;201"]) {
      expect(() => parseExpect(bad), bad).toThrow(HookError);
    }
    expect(() => parseExpect("200,abc")).toThrow(
      '--expect: "abc" is not a status (200), a class (2xx) or a list of them',
    );
    expect(() => parseExpect(" , ")).toThrow("--expect is empty");
  });
});
