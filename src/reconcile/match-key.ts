/**
 * What makes a webhook and an API event "the same event", so that one of them reaches the app and
 * the other is a duplicate. Computed from the request as the pipeline sees it, for a webhook and for
 * a reconciled event alike: both paths meet in one key.
 */
export type MatchKey = (input: {
  eventId?: string;
  headers: Headers;
  body: Uint8Array;
}) => string | undefined;

/** Stripe: the event id is in the webhook body and in the events list. */
const byEventId: MatchKey = ({ eventId }) => eventId;

/**
 * GitHub: a webhook carries a delivery GUID, the Events API an event id, and neither knows the other.
 * What both carry is the payload: the event, its action, the repository and the object it is about,
 * with that object's last change (a push: the ref and the commit it moved to). Two changes to one
 * object within the same second share a key, and the second would be taken for the first: a limit
 * of the Events API, documented in docs/reconcile.md.
 */
const byGithubPayload: MatchKey = ({ headers, body }) => {
  const event = headers.get("x-github-event");
  const payload = parse(body);
  if (!event || !payload) return undefined;
  const repo = text(field(payload.repository, "full_name"));
  if (event === "push") return known(["push", repo, text(payload.ref), text(payload.after)]);
  if (event === "create" || event === "delete")
    return known([event, repo, text(payload.ref_type), text(payload.ref)]);
  const subject = SUBJECTS.map((name) => payload[name]).find((v) => typeof v === "object" && v !== null);
  const changed = field(subject, "updated_at") ?? field(subject, "created_at");
  return known([event, repo, text(field(subject, "id")), text(changed)], text(payload.action));
};

/**
 * A key only when every required part is there. Without one the event is not matched: at worst the app
 * gets it twice (once by each path), never zero times because two different events looked alike.
 */
function known(required: string[], optional = ""): string | undefined {
  return required.every((p) => p !== "") ? [...required, optional].join(" ") : undefined;
}

/** The object a GitHub event is about, most specific first (a review comment is on a pull request). */
const SUBJECTS = ["comment", "review", "thread", "pull_request", "issue", "release", "forkee", "member"];

export function matchKeyFor(provider: string): MatchKey {
  return provider === "github" ? byGithubPayload : byEventId;
}

function parse(body: Uint8Array): Record<string, unknown> | undefined {
  try {
    const value = JSON.parse(Buffer.from(body).toString("utf8")) as unknown;
    return typeof value === "object" && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function field(value: unknown, name: string): unknown {
  return typeof value === "object" && value !== null ? (value as Record<string, unknown>)[name] : undefined;
}

function text(value: unknown): string {
  return value === undefined || value === null ? "" : String(value);
}
