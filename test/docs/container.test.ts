/**
 * The container recipes without a container engine (there is none here): the Dockerfile and the
 * Kubernetes CronJob are parsed and held to what they promise, and the commands they would run are
 * run with this worktree's CLI. The CI recipe's hook steps run against a Stripe-verifying app.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Stripe from "stripe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT } from "../helpers/cli.js";
import { Target } from "../helpers/target.js";
import { FakeStripeApi } from "../poll/helpers/fake-stripe-api.js";
import { hookOnPath, recipe, relocate, runClean, yamlDocuments } from "./recipe-helpers.js";

const SECRET = "whsec_container_test";
let dir: string;
let bin: string;
const api = new FakeStripeApi();
const app = new Target();
const manifest = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));

beforeAll(async () => {
  await api.start();
  await app.start();
  dir = mkdtempSync(join(tmpdir(), "hook-container-"));
  bin = hookOnPath(dir);
  // The app: 2xx only for what stripe-node accepts, 400 otherwise, like a correct Stripe handler.
  app.respond = (request) => {
    try {
      Stripe.webhooks.constructEvent(
        request.body.toString("utf8"),
        String(request.headers["stripe-signature"]),
        SECRET,
      );
      return { status: 200, body: "ok" };
    } catch {
      return { status: 400, body: "bad request" };
    }
  };
});
afterAll(async () => {
  await api.close();
  await app.close();
  rmSync(dir, { recursive: true, force: true });
});

interface Instruction {
  op: string;
  args: string;
}

/** Dockerfile instructions per stage, continuation lines joined, comments dropped. */
function stages(text: string): Instruction[][] {
  const lines = text.replace(/\\\n\s*/g, " ").split("\n");
  const out: Instruction[][] = [];
  for (const line of lines.map((l) => l.trim()).filter((l) => l && !l.startsWith("#"))) {
    const [op = "", ...rest] = line.split(/\s+/);
    if (op.toUpperCase() === "FROM") out.push([]);
    out.at(-1)?.push({ op: op.toUpperCase(), args: rest.join(" ") });
  }
  return out;
}

const cliEnv = () => ({
  PATH: `${bin}:/usr/bin:/bin`,
  HOME: dir,
  STRIPE_API_KEY: api.key,
  HOOK_SECRET: SECRET,
});

/** A volume's contents as the image's command finds them: a config file pointing poll at the stand-ins. */
function dataDir(config: Record<string, unknown>): string {
  const data = mkdtempSync(join(dir, "data-"));
  writeFileSync(join(data, "hook.config.json"), JSON.stringify({ poll: { "api-base": api.url, ...config } }));
  return data;
}

describe("the Dockerfile", () => {
  const all = stages(recipe("Dockerfile"));
  const final = all.at(-1) ?? [];
  const get = (op: string) => final.filter((i) => i.op === op).map((i) => i.args);

  it("runs on a small Node image as a non-root user, with the state on a volume", () => {
    expect(get("FROM")[0]).toMatch(/^node:\d+-(alpine|slim)\b/);
    const user = get("USER").at(-1);
    expect(user).toBeDefined();
    expect(["root", "0"]).not.toContain(user);
    const workdir = get("WORKDIR").at(-1);
    expect(get("VOLUME").join(" ")).toContain(workdir);
  });

  it("copies into the build every file the package ships, and picks up the tarball npm pack names", () => {
    const build = all[0] ?? [];
    const copied = build
      .filter((i) => i.op === "COPY" && !i.args.startsWith("--from"))
      .flatMap((i) => i.args.split(/\s+/).slice(0, -1));
    for (const source of copied) expect(existsSync(join(ROOT, source)), source).toBe(true);
    for (const shipped of (manifest.files as string[]).filter((f) => !f.startsWith("!") && f !== "dist")) {
      expect(copied, `package.json files: ${shipped}`).toContain(shipped);
    }
    const glob = /\/tmp\/(\S+\*\.tgz)/.exec(get("COPY").join(" "))?.[1] ?? "";
    const packed = `${manifest.name}-${manifest.version}.tgz`;
    expect(new RegExp(`^${glob.replace(".", "\\.").replace("*", ".*")}$`).test(packed), glob).toBe(true);
  });

  it("has hook poll --once as its command, which works with the config on the volume", async () => {
    const command = [
      ...JSON.parse(get("ENTRYPOINT").at(-1) ?? "[]"),
      ...JSON.parse(get("CMD").at(-1) ?? "[]"),
    ];
    expect(command).toEqual(["hook", "poll", "--once"]);
    const data = dataDir({ provider: "stripe", "forward-to": app.url });
    api.add(1);
    const result = await runClean(command, cliEnv(), data);
    expect(result.stderr).not.toMatch(/hook: /);
    expect(result.code).toBe(0);
    expect(existsSync(join(data, ".hook", "poll", "stripe-events.json"))).toBe(true);
  });
});

describe("the Kubernetes CronJob", () => {
  const docs = yamlDocuments(join(ROOT, "docs/recipes/k8s-cronjob.yaml"));
  // biome-ignore lint/suspicious/noExplicitAny: a parsed YAML document, checked field by field below
  const find = (kind: string): any => docs?.find((d) => (d as { kind?: string }).kind === kind);

  it.skipIf(docs === undefined)(
    "never overlaps, keeps the state on a claim, takes the key from a Secret",
    () => {
      const job = find("CronJob");
      expect(job.apiVersion).toBe("batch/v1");
      expect(job.spec.schedule.split(" ")).toHaveLength(5);
      expect(job.spec.concurrencyPolicy).toBe("Forbid");
      const pod = job.spec.jobTemplate.spec.template.spec;
      expect(["Never", "OnFailure"]).toContain(pod.restartPolicy);
      expect(pod.securityContext.runAsNonRoot).toBe(true);
      const [container] = pod.containers;
      expect(container.args.slice(0, 2)).toEqual(["poll", "--once"]);
      expect(container.envFrom.some((e: { secretRef?: { name: string } }) => e.secretRef?.name)).toBe(true);
      const workdir = stages(recipe("Dockerfile"))
        .at(-1)
        ?.filter((i) => i.op === "WORKDIR")
        .at(-1)?.args;
      const mount = container.volumeMounts.find((m: { mountPath: string }) => m.mountPath === workdir);
      expect(mount, `a volume at the image's WORKDIR ${workdir}`).toBeDefined();
      const volume = pod.volumes.find((v: { name: string }) => v.name === mount.name);
      expect(volume.persistentVolumeClaim.claimName).toBe(find("PersistentVolumeClaim").metadata.name);
    },
  );

  it.skipIf(docs === undefined)("runs its container's arguments as hook would in the pod", async () => {
    const [container] = find("CronJob").spec.jobTemplate.spec.template.spec.containers;
    const args = (container.args as string[]).map((a) => a.replace(/^http:\/\/[^/]+/, app.url));
    const before = app.received.length;
    const data = dataDir({});
    api.add(1);
    expect((await runClean(["hook", ...args], cliEnv(), data)).code).toBe(0);
    api.add(1);
    expect((await runClean(["hook", ...args], cliEnv(), data)).code).toBe(0);
    expect(app.received.length).toBe(before + 1);
  });
});

describe("the CI recipe", () => {
  const workflow = yamlDocuments(join(ROOT, "docs/recipes/github-actions.yml"))?.[0] as
    | { jobs: Record<string, { env: Record<string, string>; steps: { run?: string }[] }> }
    | undefined;

  it.skipIf(workflow === undefined)("runs its hook steps: they pass against a correct app", async () => {
    const job = Object.values(workflow?.jobs ?? {})[0];
    const steps = (job?.steps ?? []).map((s) => s.run ?? "").filter((r) => r.startsWith("hook "));
    expect(steps.length).toBeGreaterThanOrEqual(2);
    const project = mkdtempSync(join(dir, "project-"));
    mkdirSync(join(project, "test", "webhooks"), { recursive: true });
    const sample = join(ROOT, "fixtures", "stripe", "payment_intent.succeeded.json");
    writeFileSync(join(project, "test", "webhooks", "payment.json"), readFileSync(sample));
    const env = { ...cliEnv(), ...job?.env };
    // The job's secret is the one the app verifies with.
    const secret = job?.env.STRIPE_WEBHOOK_SECRET ?? "";
    const respond = app.respond;
    app.respond = (request) => {
      try {
        Stripe.webhooks.constructEvent(
          request.body.toString("utf8"),
          String(request.headers["stripe-signature"]),
          secret,
        );
        return { status: 200, body: "ok" };
      } catch {
        return { status: 400, body: "bad request" };
      }
    };
    try {
      for (const step of steps) {
        const result = await runClean(
          ["sh", "-c", relocate(step, { "http://localhost:3000": app.url })],
          env,
          project,
        );
        expect(result.code, `${step}\n${result.stderr}`).toBe(0);
      }
    } finally {
      app.respond = respond;
    }
    expect(readFileSync(join(project, "replay.xml"), "utf8")).toMatch(/<testsuites/);
    expect(readFileSync(join(project, "check.xml"), "utf8")).toMatch(/<testsuites/);
  });
});
