import { field, tryJson } from "./crypto.js";
import type { Provider } from "./types.js";
import { valid } from "./verdict.js";

/** No signature at all: receive, show, save and forward anything. */
export const none: Provider = {
  name: "none",
  summary: "no verification; every request is accepted",
  signatureHeaders: [],
  signsTimestamp: false,
  timeoutMs: 30_000,
  contentType: "application/json",
  sign: () => ({}),
  verify: () => valid,
  describe(body) {
    const event = tryJson(body);
    return { type: field(event, "type") ?? field(event, "event"), id: field(event, "id") };
  },
};
