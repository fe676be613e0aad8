import { anyEqual, field, firstHeader, hexBytes, hmac, tryJson } from "./crypto.js";
import type { Provider, Verdict } from "./types.js";
import { malformedHeader, missingHeader, noMatch, noSecret, valid } from "./verdict.js";

const SHA256_HEADER = "x-hub-signature-256";
/** Legacy SHA-1 header, sent "for compatibility with existing integrations". */
const SHA1_HEADER = "x-hub-signature";

/** Checks one `algo=hex` header against every secret. */
function checkHeader(
  name: string,
  value: string,
  algorithm: "sha1" | "sha256",
  secrets: string[],
  body: Uint8Array,
): Verdict {
  const prefix = `${algorithm}=`;
  if (!value.startsWith(prefix)) return malformedHeader(name, `it must start with ${prefix}`);
  const given = hexBytes(value.slice(prefix.length));
  if (!given) return malformedHeader(name, `after ${prefix} comes a hex digest`);
  const matched = secrets.some((secret) => anyEqual(hmac(algorithm, secret, body), [given]));
  return matched ? valid : noMatch(hintFor(secrets));
}

function hintFor(secrets: string[]): string | undefined {
  if (secrets.some((s) => s !== s.trim())) return "a secret has spaces around it; GitHub uses it as typed";
  return "GitHub signs with the webhook's secret (repository Settings > Webhooks), not a token";
}

/**
 * How a payload shows its X-GitHub-Event (GitHub sends the name only in that header): the top-level
 * keys GitHub's schema requires for the event. Most specific first: a deployment carries workflow_run
 * too, a review carries pull_request.
 */
const EVENT_KEYS: [event: string, keys: string[]][] = [
  ["ping", ["zen", "hook_id"]],
  ["push", ["ref", "commits"]],
  ["pull_request_review", ["pull_request", "review"]],
  ["pull_request_review_comment", ["pull_request", "comment"]],
  ["pull_request_review_thread", ["pull_request", "thread"]],
  ["pull_request", ["pull_request", "number"]],
  ["issue_comment", ["issue", "comment"]],
  ["issues", ["issue"]],
  ["discussion_comment", ["discussion", "comment"]],
  ["discussion", ["discussion"]],
  ["release", ["release"]],
  ["deployment_status", ["deployment_status"]],
  ["deployment", ["deployment", "workflow_run"]],
  ["workflow_run", ["workflow_run", "workflow"]],
  ["workflow_job", ["workflow_job"]],
  ["check_run", ["check_run"]],
  ["check_suite", ["check_suite"]],
];

/** The event a payload implies; undefined when the body does not tell. */
function eventOf(body: Uint8Array): string | undefined {
  const json = tryJson(body);
  if (typeof json !== "object" || json === null) return undefined;
  return EVENT_KEYS.find(([, keys]) => keys.every((key) => key in json))?.[0];
}

export const github: Provider = {
  name: "github",
  summary: "HMAC-SHA256 of the body, hex, in X-Hub-Signature-256 (legacy SHA-1 X-Hub-Signature if alone)",
  signatureHeaders: [SHA256_HEADER, SHA1_HEADER],
  signsTimestamp: false,
  // GitHub: "Your server should respond with a 2XX response within 10 seconds" (best practices doc).
  timeoutMs: 10_000,
  contentType: "application/json",

  sign({ body, secret, deliveryId }) {
    const headers: Record<string, string> = {
      "X-Hub-Signature-256": `sha256=${hmac("sha256", secret, body).toString("hex")}`,
      // GitHub still sends both when a secret is set; old integrations read only the SHA-1 one.
      "X-Hub-Signature": `sha1=${hmac("sha1", secret, body).toString("hex")}`,
    };
    if (deliveryId) headers["X-GitHub-Delivery"] = deliveryId;
    return headers;
  },

  envelope(body) {
    const event = eventOf(body);
    return {
      headers: { "X-GitHub-Event": event ?? "ping", "User-Agent": "GitHub-Hookshot/hook" },
      assumed: event ? undefined : ["X-GitHub-Event"],
    };
  },

  verify({ body, headers, secrets }) {
    // The SHA-1 header counts only when it is alone: with both present, a forged SHA-1 could
    // otherwise stand in for a failing SHA-256 (a downgrade).
    const found = firstHeader(headers, SHA256_HEADER, SHA1_HEADER);
    if (!found) return missingHeader("X-Hub-Signature-256");
    if (secrets.length === 0) return noSecret();
    if (found.name === SHA1_HEADER) return checkHeader("X-Hub-Signature", found.value, "sha1", secrets, body);
    return checkHeader("X-Hub-Signature-256", found.value, "sha256", secrets, body);
  },

  checkSecret(secret) {
    if (/^(ghp|gho|ghu|ghs|ghr)_|^github_pat_/.test(secret)) {
      return "that is a GitHub token; the webhook secret is the one typed in the webhook's settings";
    }
    return undefined;
  },

  describe(body, headers) {
    const event = headers.get("x-github-event") ?? undefined;
    const action = field(tryJson(body), "action");
    const delivery = headers.get("x-github-delivery") ?? undefined;
    return {
      type: event && action ? `${event}.${action}` : event,
      // A redelivery from GitHub's UI keeps the GUID, so it is the event's identity too.
      id: delivery,
      deliveryId: delivery,
    };
  },
};
