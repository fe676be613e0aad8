import { createHash } from "node:crypto";
import type { DeliveryRequest } from "./types.js";

/**
 * Events API type -> the X-GitHub-Event a webhook would carry. These are the types the Events API
 * documents; a type missing here is stepped over (reported, never delivered under a guessed name).
 */
export const GITHUB_EVENT_NAMES: Readonly<Record<string, string>> = {
  CommitCommentEvent: "commit_comment",
  CreateEvent: "create",
  DeleteEvent: "delete",
  ForkEvent: "fork",
  GollumEvent: "gollum",
  IssueCommentEvent: "issue_comment",
  IssuesEvent: "issues",
  MemberEvent: "member",
  PublicEvent: "public",
  PullRequestEvent: "pull_request",
  PullRequestReviewEvent: "pull_request_review",
  PullRequestReviewCommentEvent: "pull_request_review_comment",
  PullRequestReviewThreadEvent: "pull_request_review_thread",
  PushEvent: "push",
  ReleaseEvent: "release",
  SponsorshipEvent: "sponsorship",
  WatchEvent: "watch",
};

export interface GithubEvent {
  id: string;
  type: string;
  created_at?: string;
  public?: boolean;
  actor?: { id?: number; login?: string; url?: string; avatar_url?: string };
  repo?: { id?: number; name?: string; url?: string };
  org?: { id?: number; login?: string; url?: string; avatar_url?: string };
  payload?: Record<string, unknown>;
}

/**
 * The webhook body GitHub would have sent: the event's payload plus `repository`, `sender` and
 * `organization` built from the event's repo, actor and org. The Events API carries less than a
 * webhook (no full repository object, fewer push fields): what it lacks stays absent.
 */
export function webhookBody(event: GithubEvent): Record<string, unknown> {
  const body: Record<string, unknown> = { ...event.payload };
  if (event.type === "PushEvent" && body.after === undefined && body.head !== undefined)
    body.after = body.head;
  if (event.repo?.name) {
    const [owner = "", name = ""] = event.repo.name.split("/");
    body.repository = {
      id: event.repo.id,
      name,
      full_name: event.repo.name,
      private: event.public === false,
      owner: { login: owner },
      html_url: `https://github.com/${event.repo.name}`,
      url: event.repo.url,
    };
  }
  if (event.actor)
    body.sender = { ...event.actor, html_url: `https://github.com/${event.actor.login}`, type: "User" };
  if (event.org) body.organization = { ...event.org };
  return body;
}

/**
 * X-GitHub-Delivery is a GUID. Ours is derived from the event id (a name-based UUID), so a repeat
 * after a crash carries the same delivery id, as GitHub's own redeliveries do, and the app's dedupe works.
 */
export function deliveryGuid(eventId: string): string {
  const hex = createHash("sha1").update(`hook-poll/github/${eventId}`).digest("hex");
  const variant = ((Number.parseInt(hex.slice(16, 17), 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

export function githubRequest(
  event: GithubEvent,
  name: string,
  sign: (body: Uint8Array, deliveryId?: string) => Record<string, string>,
): DeliveryRequest {
  const body = Buffer.from(JSON.stringify(webhookBody(event)));
  const delivery = deliveryGuid(event.id);
  return {
    body,
    headers: {
      "content-type": "application/json",
      "user-agent": "GitHub-Hookshot/hook-poll",
      "x-github-event": name,
      "x-github-delivery": delivery,
      ...sign(body, delivery),
    },
  };
}
