/**
 * The API's JSON: a summary is the `--json` request line (plus `earlier`), a detail adds what a person
 * needs to see why a delivery went as it did. Secret header values are redacted in both, always.
 */
import { deliveryJson, requestJson } from "../events/json.js";
import type { TargetAnswer } from "../events/types.js";
import { redactHeaders } from "../redact.js";
import { encodeBody } from "../store/fixture.js";
import type { Entry } from "./history.js";

export function summaryJson(entry: Entry): Record<string, unknown> {
  const summary = requestJson(entry.record);
  if (entry.earlier) summary.earlier = true;
  return summary;
}

export function detailJson(entry: Entry): Record<string, unknown> {
  const r = entry.record;
  return {
    ...summaryJson(entry),
    headers: redactHeaders(r.headers),
    ...encodeBody(r.body),
    verification: r.verification ?? null,
    response: r.response ? answerJson(r.response) : null,
    deliveries: entry.deliveries.map(deliveryJson),
    replayOf: r.replayOf ?? null,
  };
}

function answerJson(answer: TargetAnswer): Record<string, unknown> {
  return {
    status: answer.status,
    headers: redactHeaders(answer.headers),
    ...encodeBody(answer.body),
    truncated: answer.truncated,
  };
}
