import { formatDuration } from "../units.js";
import { lenientUtf8 } from "../utf8.js";
import { escapeControl } from "./escape.js";

/** How much of a target's answer a result line shows: enough for stripe-node's explanation. */
const SNIPPET_CHARS = 200;

/** Only the start of a large answer is decoded: the first line is all that is shown. */
const DECODE_BYTES = 4096;

/**
 * The first line of a non-2xx answer, escaped and cut, for the line that shows its status: an app's
 * own words ("No signatures found matching the expected signature for payload") say more than `400`.
 * Undefined for a 2xx, or when the answer has no text.
 */
export function answerSnippet(status: number, body?: Uint8Array): string | undefined {
  if (status >= 200 && status < 300) return undefined;
  if (!body || body.length === 0) return undefined;
  const text = lenientUtf8.decode(body.subarray(0, DECODE_BYTES)).replace(/^\uFEFF/, "");
  const line = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .find((l) => l !== "");
  if (!line) return undefined;
  const cut = [...line]; // by code point, so a cut never splits a character in two
  const shown = cut.length > SNIPPET_CHARS ? `${cut.slice(0, SNIPPET_CHARS).join("")}…` : line;
  return escapeControl(shown);
}

/**
 * The note for an answer slower than the provider waits: the provider counts that delivery as
 * failed and sends it again, however right the app's answer was. Undefined when in time, or when
 * nobody waits (provider `none`). One wording for listen, replay, trigger and check.
 */
export function slowAnswer(
  provider: { name: string; timeoutMs: number },
  latencyMs: number,
): string | undefined {
  if (provider.name === "none" || latencyMs <= provider.timeoutMs) return undefined;
  return `the target took ${formatDuration(latencyMs)}; ${provider.name} gives up after ${formatDuration(provider.timeoutMs)} and counts a failure (answer first, work later)`;
}
