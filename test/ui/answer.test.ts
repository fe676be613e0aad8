import { describe, expect, it } from "vitest";
import { answerSnippet } from "../../src/ui/answer.js";
import { escapeControl } from "../../src/ui/escape.js";

const bytes = (text: string) => new TextEncoder().encode(text);

describe("answerSnippet", () => {
  it("shows the first line of a non-2xx answer", () => {
    const body = bytes(
      "\n  No signatures found matching the expected signature for payload.\nAre you passing the raw body?",
    );
    expect(answerSnippet(400, body)).toBe("No signatures found matching the expected signature for payload.");
  });

  it("says nothing for a 2xx or an empty answer", () => {
    expect(answerSnippet(200, bytes("all good"))).toBeUndefined();
    expect(answerSnippet(299, bytes("all good"))).toBeUndefined();
    expect(answerSnippet(500)).toBeUndefined();
    expect(answerSnippet(500, bytes(" \n \r\n"))).toBeUndefined();
  });

  it("shows a 3xx or 1xx too: only a 2xx is an acknowledgement", () => {
    expect(answerSnippet(302, bytes("moved"))).toBe("moved");
  });

  it("cuts a long line at 200 characters, never inside a character", () => {
    const snippet = answerSnippet(500, bytes("é".repeat(500))) ?? "";
    expect(snippet).toBe(`${"é".repeat(200)}…`);
  });

  it("escapes control characters from the answer", () => {
    expect(answerSnippet(500, bytes("\x1b[2Jgone\x07"))).toBe("\\x1b[2Jgone\\x07");
  });
});

describe("escapeControl", () => {
  it("shows C0, DEL, C1 and bidi overrides as escapes, and leaves other text alone", () => {
    expect(escapeControl("a\tb\r\nc\x00\x7f\u009b\u202e")).toBe("a\\tb\\r\\nc\\x00\\x7f\\x9b\\u202e");
    expect(escapeControl("naïve — ok ✓")).toBe("naïve — ok ✓");
  });
});
