import { createRequire } from "node:module";
import { sign as octoSign, verify as octoVerify } from "@octokit/webhooks-methods";
import { describe, expect, it } from "vitest";
import { getProvider } from "../../src/providers/index.js";
import { bytes, check, flipOneByte } from "./helpers.js";

const github = getProvider("github");
const now = new Date(1_700_000_000_000);
/** GitHub's webhook payload schemas (@octokit/webhooks-schemas): each event's top-level keys. */
interface Schema {
  $ref?: string;
  oneOf?: Schema[];
  required?: string[];
  properties?: Record<string, unknown>;
}
const schemas = createRequire(import.meta.url)("@octokit/webhooks-schemas/schema.json") as {
  definitions: Record<string, Schema>;
  oneOf: Schema[];
};
const resolve = (schema: Schema): Schema[] => {
  const target = schema.$ref ? (schemas.definitions[schema.$ref.split("/").pop() ?? ""] ?? {}) : schema;
  return target.oneOf ? target.oneOf.flatMap(resolve) : [target];
};
/** Every event with, for each of its variants, a payload of only the required keys and one of all keys. */
const payloads = schemas.oneOf.map((event) => ({
  name:
    (event.$ref ?? "")
      .split("/")
      .pop()
      ?.replace(/_?\$?event$/, "") ?? "",
  bodies: resolve(event).flatMap((variant) =>
    [variant.required ?? [], Object.keys(variant.properties ?? {})].map((keys) =>
      JSON.stringify(Object.fromEntries(keys.map((key) => [key, {}]))),
    ),
  ),
}));

const sign = (body: string, secret: string) => github.sign({ body: bytes(body), secret, timestamp: now });

describe("github", () => {
  it("reproduces GitHub's docs vector and octokit's test vectors", () => {
    expect(sign("Hello, World!", "It's a Secret to Everybody")["X-Hub-Signature-256"]).toBe(
      "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17",
    );
    expect(sign('{"foo":"bar"}', "mysecret")["X-Hub-Signature-256"]).toBe(
      "sha256=4864d2759938a15468b5df9ade20bf161da9b4f737ea61794142f3484236bda3",
    );
    const unicode = '{"foo":"Foo\\n\\u001B[34mbar: ♥♥♥♥♥♥♥♥\\nthis-is-lost\\u001B[0m\\u001B[2K"}';
    expect(sign(unicode, "development")["X-Hub-Signature-256"]).toBe(
      "sha256=afecc3caa27548bb90d51a50384cb2868b9a3327b4ad6a01c9bd4ed0f8b0b12c",
    );
    expect(sign('{"foo":"\\\\u001b"}', "development")["X-Hub-Signature-256"]).toBe(
      "sha256=6f8326efbacfbd04e870cea25b5652e635be8c9807f2fd5348ef60753c9e96ed",
    );
  });

  it("agrees with @octokit/webhooks-methods both ways", async () => {
    const body = '{"action":"opened","number":1,"title":"café ☕"}';
    expect(await octoVerify("s3cret", body, sign(body, "s3cret")["X-Hub-Signature-256"] ?? "")).toBe(true);
    const theirs = await octoSign("s3cret", body);
    expect(check(github, bytes(body), { "X-Hub-Signature-256": theirs }, ["s3cret"], now)).toEqual({
      ok: true,
    });
    const changed = check(
      github,
      flipOneByte(bytes(body)),
      { "X-Hub-Signature-256": theirs },
      ["s3cret"],
      now,
    );
    expect(changed).toMatchObject({ ok: false, code: "no-match" });
  });

  it("accepts the legacy SHA-1 header only when it is alone", () => {
    const headers = sign("{}", "s");
    const sha1Only = { "X-Hub-Signature": headers["X-Hub-Signature"] ?? "" };
    expect(check(github, bytes("{}"), sha1Only, ["s"], now)).toEqual({ ok: true });
    const badSha256 = { ...sha1Only, "X-Hub-Signature-256": `sha256=${"0".repeat(64)}` };
    expect(check(github, bytes("{}"), badSha256, ["s"], now).ok).toBe(false);
  });

  it("names the missing header and the malformed part", () => {
    expect(check(github, bytes("{}"), {}, ["s"], now)).toMatchObject({
      code: "missing-header",
      reason: "X-Hub-Signature-256 header is missing",
    });
    expect(check(github, bytes("{}"), { "X-Hub-Signature-256": "abc" }, ["s"], now)).toMatchObject({
      code: "malformed-header",
      reason: expect.stringContaining("sha256="),
    });
  });

  it("describes event.action and the delivery GUID", () => {
    const headers = new Headers({ "X-GitHub-Event": "pull_request", "X-GitHub-Delivery": "72d3162e-cc78" });
    expect(github.describe(bytes('{"action":"opened"}'), headers)).toEqual({
      type: "pull_request.opened",
      id: "72d3162e-cc78",
      deliveryId: "72d3162e-cc78",
    });
    expect(github.describe(bytes("not json"), new Headers({ "X-GitHub-Event": "push" })).type).toBe("push");
  });

  it("names the event of every payload GitHub's schema describes, or says the name is a guess", () => {
    const named = new Set<string>();
    for (const { name, bodies } of payloads) {
      for (const body of bodies) {
        const { headers, assumed } = github.envelope?.(bytes(body), now) ?? { headers: {} };
        if (assumed) {
          expect(assumed).toEqual(["X-GitHub-Event"]);
          expect(headers["X-GitHub-Event"]).toBe("ping");
        } else {
          expect(`${name}: ${headers["X-GitHub-Event"]}`).toBe(`${name}: ${name}`);
          named.add(name);
        }
      }
    }
    // The events hook sign and replay name from the body alone; any other is assumed, never misnamed.
    expect([...named].sort()).toEqual(
      [
        "check_run",
        "check_suite",
        "deployment",
        "deployment_status",
        "discussion",
        "discussion_comment",
        "issue_comment",
        "issues",
        "ping",
        "pull_request",
        "pull_request_review",
        "pull_request_review_comment",
        "pull_request_review_thread",
        "push",
        "release",
        "workflow_job",
        "workflow_run",
      ].sort(),
    );
    expect(github.envelope?.(bytes("[1]"), now).assumed).toEqual(["X-GitHub-Event"]);
    expect(github.envelope?.(bytes("null"), now).assumed).toEqual(["X-GitHub-Event"]);
    expect(github.envelope?.(bytes("not json"), now).headers).toEqual({
      "X-GitHub-Event": "ping",
      "User-Agent": "GitHub-Hookshot/hook",
    });
  });

  it("takes a hex digest whole: odd, non-hex or trailing characters are malformed, upper case is fine", () => {
    const good = sign("{}", "s")["X-Hub-Signature-256"] ?? "";
    const digest = good.slice("sha256=".length);
    const verdict = (value: string) =>
      check(github, bytes("{}"), { "X-Hub-Signature-256": value }, ["s"], now);
    expect(verdict(`sha256=${digest.toUpperCase()}`)).toEqual({ ok: true });
    for (const bad of [`${digest}zz`, `zz${digest}`, digest.slice(1), `${digest} x`]) {
      expect(verdict(`sha256=${bad}`)).toEqual({
        ok: false,
        code: "malformed-header",
        reason: "X-Hub-Signature-256 header is malformed: after sha256= comes a hex digest",
      });
    }
    expect(verdict(`sha1=${digest}`)).toMatchObject({
      reason: "X-Hub-Signature-256 header is malformed: it must start with sha256=",
    });
    const sha1 = (value: string) => check(github, bytes("{}"), { "X-Hub-Signature": value }, ["s"], now);
    expect(sha1("sha256=00")).toMatchObject({
      reason: "X-Hub-Signature header is malformed: it must start with sha1=",
    });
  });

  it("needs a secret, and hints at spaces around one or a token given instead", () => {
    const headers = sign("{}", "s");
    expect(check(github, bytes("{}"), headers, [], now)).toMatchObject({ code: "no-secret" });
    expect(check(github, bytes("{}"), headers, ["s "], now)).toMatchObject({
      code: "no-match",
      hint: expect.stringMatching(/^a secret has spaces around it; GitHub uses it as typed; /),
    });
    expect(check(github, bytes("{}"), headers, ["other"], now)).toMatchObject({
      hint: expect.stringMatching(
        /^GitHub signs with the webhook's secret \(repository Settings > Webhooks\), not a token; /,
      ),
    });
    expect(check(github, bytes("{}"), headers, ["other", "s"], now)).toEqual({ ok: true });
    for (const token of ["ghp_abc", "gho_abc", "ghu_abc", "ghs_abc", "ghr_abc", "github_pat_11ABC"]) {
      expect(github.checkSecret?.(token)).toBe(
        "that is a GitHub token; the webhook secret is the one typed in the webhook's settings",
      );
    }
    for (const secret of ["my-ghp_secret", "x-github_pat_", "ordinary secret"]) {
      expect(github.checkSecret?.(secret)).toBeUndefined();
    }
  });

  it("signs both digests, and a delivery id only when it has one", () => {
    expect(Object.keys(sign("{}", "s"))).toEqual(["X-Hub-Signature-256", "X-Hub-Signature"]);
    expect(
      github.sign({ body: bytes("{}"), secret: "s", timestamp: now, deliveryId: "d" })["X-GitHub-Delivery"],
    ).toBe("d");
  });
});
