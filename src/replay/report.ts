import { extname, resolve } from "node:path";
import { errorMessage, HookError, UsageError } from "../errors.js";
import { jsonWithoutBytes } from "../events/json.js";
import { redactText } from "../redact.js";
import { writeFileAtomic } from "../store/atomic.js";

/** One JUnit test case: a replayed request, or a `hook check` scenario. */
interface TestCase {
  name: string;
  classname: string;
  seconds: number;
  outcome: "passed" | "failure" | "error" | "skipped";
  /** One line: "expected 2xx, got 500". */
  message?: string;
  /** More lines, for the body of <failure>. */
  detail?: string;
}

export interface Suite {
  name: string;
  timestamp: Date;
  seconds: number;
  cases: TestCase[];
}

type ReportFormat = "junit" | "json";

/** --report FILE.xml or FILE.json; anything else is a usage error before anything is sent. */
export function reportFormat(file: string): ReportFormat {
  const ext = extname(file).toLowerCase();
  if (ext === ".xml") return "junit";
  if (ext === ".json") return "json";
  throw new UsageError(
    `--report: "${file}" must end in .xml (JUnit) or .json`,
    "for example --report results.xml",
  );
}

/** XML 1.0 text: escape markup, drop the control characters XML cannot carry at all. */
export function xmlEscape(text: string): string {
  return text
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, "\uFFFD")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;");
}

/**
 * JUnit XML as the common CI readers take it (GitLab, Jenkins, GitHub Actions reporters): one
 * <testsuites> with one <testsuite>, counts on both, <failure> for a wrong answer, <error> for no
 * answer, <skipped/> for a scenario that does not apply.
 */
export function junitXml(suite: Suite): string {
  const count = (outcome: TestCase["outcome"]) => suite.cases.filter((c) => c.outcome === outcome).length;
  const counts = `tests="${suite.cases.length}" failures="${count("failure")}" errors="${count("error")}" skipped="${count("skipped")}"`;
  const time = suite.seconds.toFixed(3);
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${xmlEscape(suite.name)}" ${counts} time="${time}">`,
    `  <testsuite name="${xmlEscape(suite.name)}" ${counts} time="${time}" timestamp="${suite.timestamp.toISOString().replace(/\.\d+Z$/, "")}">`,
  ];
  for (const c of suite.cases) {
    const open = `    <testcase name="${xmlEscape(c.name)}" classname="${xmlEscape(c.classname)}" time="${c.seconds.toFixed(3)}"`;
    if (c.outcome === "passed") {
      lines.push(`${open}/>`);
      continue;
    }
    lines.push(`${open}>`);
    const message = xmlEscape(c.message ?? "");
    if (c.outcome === "skipped") lines.push(`      <skipped message="${message}"/>`);
    else {
      const tag = c.outcome;
      lines.push(
        `      <${tag} message="${message}" type="${tag === "failure" ? "UnexpectedStatus" : "NoAnswer"}">${xmlEscape(c.detail ?? c.message ?? "")}</${tag}>`,
      );
    }
    lines.push("    </testcase>");
  }
  lines.push("  </testsuite>", "</testsuites>", "");
  return lines.join("\n");
}

/** Writes the report atomically: a CI job that reads it never sees half a file. */
export function writeReport(file: string, cwd: string, suite: Suite, json: unknown): string {
  const path = resolve(cwd, file);
  const raw = reportFormat(file) === "junit" ? junitXml(suite) : `${jsonWithoutBytes(json, 2)}\n`;
  // A report is kept as a CI artifact, readable by everyone with access to the job: no secret in it.
  const text = redactText(raw);
  try {
    writeFileAtomic(path, text);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? errorMessage(error);
    // The results were shown already; the run still counts as failed, since CI will not find its report.
    throw new HookError(`--report: cannot write ${file}: ${code}`, { hint: "is the folder writable?" });
  }
  return path;
}
