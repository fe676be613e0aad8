import { describe, expect, it } from "vitest";
import { webhookBody } from "../../src/poll/github-shape.js";
import { matchKeyFor } from "../../src/reconcile/match-key.js";

const key = matchKeyFor("github");
const at = (event: string, body: unknown) =>
  key({ headers: new Headers({ "x-github-event": event }), body: Buffer.from(JSON.stringify(body)) });
const repository = { id: 42, full_name: "octo/hello", name: "hello", owner: { login: "octo" } };

describe("the GitHub match key", () => {
  it("matches a webhook with the body hook builds from the Events API event", () => {
    const issue = { id: 9, number: 3, updated_at: "2026-12-01T09:00:00Z", title: "x" };
    const fromApi = webhookBody({
      id: "1",
      type: "IssuesEvent",
      repo: { id: 42, name: "octo/hello" },
      actor: { id: 1, login: "octocat" },
      payload: { action: "opened", issue },
    });
    const webhook = { action: "opened", issue: { ...issue, body: "more" }, repository, sender: { id: 1 } };
    expect(at("issues", webhook)).toBe(at("issues", fromApi));
    expect(at("issues", { ...webhook, action: "closed" })).not.toBe(at("issues", fromApi));
  });

  it("tells two changes of one object apart by their time", () => {
    const edit = (updated_at: string) => ({ action: "edited", issue: { id: 9, updated_at }, repository });
    expect(at("issues", edit("2026-12-01T09:00:00Z"))).not.toBe(at("issues", edit("2026-12-01T09:00:05Z")));
  });

  it("gives no key when it cannot tell events apart, so none is taken for another", () => {
    expect(at("gollum", { pages: [{ page_name: "Home" }], repository, sender: { id: 1 } })).toBeUndefined();
    expect(at("push", { ref: "refs/heads/main", repository })).toBeUndefined();
    expect(at("ping", { zen: "Keep it logically awesome.", hook_id: 1, repository })).toBeUndefined();
  });
});
