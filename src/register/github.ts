import { UsageError } from "../errors.js";
import { removeOrGone } from "./context.js";
import type { RegisterContext, Registrar, Target } from "./types.js";

const headers = (ctx: RegisterContext) => ({
  authorization: `Bearer ${ctx.credentials.key}`,
  accept: "application/vnd.github+json",
  "x-github-api-version": "2022-11-28",
  "user-agent": "hook-cli",
});

/** GitHub names events without the action: `pull_request.*` is `pull_request`; any wildcard is `*`. */
function events(patterns: string[] | undefined): string[] {
  if (!patterns || patterns.some((p) => p.split(".")[0]?.includes("*"))) return ["*"];
  return [...new Set(patterns.map((p) => p.split(".")[0] as string))];
}

// Without content_type GitHub sends form-encoded bodies; insecure_ssl "0" keeps TLS checked.
const config = (target: Target) => ({
  url: target.url,
  content_type: "json",
  secret: target.secret,
  insecure_ssl: "0",
});
const hooks = (ctx: RegisterContext, path: string, id = "") =>
  `${ctx.base}${path}/hooks${id ? `/${id}` : ""}`;

export const githubRegistrar: Registrar = {
  name: "github",
  identity: {
    api: "GitHub API",
    keySource: "--api-key or GITHUB_TOKEN",
    scope:
      'the admin:repo_hook scope (admin:org_hook for --org; fine-grained tokens: "Webhooks" read and write)',
  },
  origin: () => "https://api.github.com",
  variables: ["GITHUB_TOKEN"],
  manual:
    "add the webhook in the repository's Settings > Webhooks (content type application/json) and pass its secret with --secret",
  takesSecret: true,
  keyedBy: "id",

  check(flags) {
    if (Boolean(flags.repo) === Boolean(flags.org)) {
      throw new UsageError("--register with github needs --repo OWNER/NAME or --org ORG (one of them)");
    }
    if (flags.repo && !/^[\w.-]+\/[\w.-]+$/.test(flags.repo)) {
      throw new UsageError(`--repo: "${flags.repo}" is not OWNER/NAME`);
    }
  },

  scope: ({ flags }) => ({ path: flags.repo ? `/repos/${flags.repo}` : `/orgs/${flags.org}` }),

  async create(ctx, target, scope) {
    const json = { name: "web", active: true, events: events(ctx.flags.events), config: config(target) };
    const req = {
      method: "POST" as const,
      url: hooks(ctx, scope.path as string),
      headers: headers(ctx),
      json,
    };
    const { json: answer } = await ctx.call(req, "create the webhook");
    const id = (answer as { id?: unknown } | undefined)?.id;
    if (id === undefined) throw new Error("GitHub's answer has no hook id");
    return { id: String(id) };
  },

  async update(ctx, entry, target) {
    const url = hooks(ctx, entry.scope.path as string, entry.id);
    await ctx.call(
      { method: "PATCH", url, headers: headers(ctx), json: { config: config(target) } },
      "update the webhook",
    );
    return { id: entry.id as string };
  },

  async find(ctx, entry) {
    const url = `${hooks(ctx, entry.scope.path as string)}?per_page=100`;
    const { json } = await ctx.call({ method: "GET", url, headers: headers(ctx) }, "list the webhooks");
    const list = (json as { id: number; config?: { url?: string } }[] | undefined) ?? [];
    const found = list.find((h) => h.config?.url === entry.url);
    return found ? String(found.id) : undefined;
  },

  remove: (ctx, entry) =>
    removeOrGone(
      ctx,
      { method: "DELETE", url: hooks(ctx, entry.scope.path as string, entry.id), headers: headers(ctx) },
      "delete the webhook",
    ),
};
