/**
 * The recipes in docs/recipes.md, run as far as this machine allows: the crontab line under `env -i`,
 * the systemd unit through `systemd-analyze verify` and then its ExecStart as systemd would start it.
 * Only the server's places (/srv/app, /etc/hook-poll.env, the app's port) move into a temp folder.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Stripe from "stripe";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ROOT } from "../helpers/cli.js";
import { Target } from "../helpers/target.js";
import { FakeStripeApi } from "../poll/helpers/fake-stripe-api.js";
import {
  envFileKeys,
  hasCommand,
  hookOnPath,
  type Ran,
  recipe,
  relocate,
  runClean,
} from "./recipe-helpers.js";

const SECRET = "whsec_recipe_test";
let dir: string;
let places: Record<string, string>;
let bin: string;
const api = new FakeStripeApi();
const app = new Target();

beforeAll(async () => {
  await api.start();
  await app.start();
  dir = mkdtempSync(join(tmpdir(), "hook-recipes-"));
  bin = hookOnPath(dir);
});
afterAll(async () => {
  await api.close();
  await app.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A fresh server folder per test: the app's folder (pointing poll at the stand-in API), the env file. */
beforeEach(() => {
  const server = mkdtempSync(join(dir, "server-"));
  const workdir = join(server, "srv-app");
  mkdirSync(workdir);
  writeFileSync(join(workdir, "hook.config.json"), JSON.stringify({ poll: { "api-base": api.url } }));
  // The recipe's own env file, with this test's values for the same keys.
  const values: Record<string, string> = { STRIPE_API_KEY: api.key, HOOK_SECRET: SECRET };
  const keys = envFileKeys(recipe("docs/recipes/hook-poll.env"));
  expect(keys.sort()).toEqual(Object.keys(values).sort());
  writeFileSync(join(server, "hook-poll.env"), keys.map((k) => `${k}=${values[k]}`).join("\n"));
  places = {
    "/srv/app": workdir,
    "/etc/hook-poll.env": join(server, "hook-poll.env"),
    "/var/log/hook-poll.log": join(server, "hook-poll.log"),
    "/usr/local/bin": bin,
    "http://127.0.0.1:3000": app.url,
  };
});

/** Two runs, as the scheduler makes them: the first takes "now" as its start, the second delivers. */
async function twoRuns(runOnce: () => Promise<Ran>): Promise<Ran[]> {
  api.add(1);
  const first = await runOnce();
  const before = app.received.length;
  api.add(1, "invoice.paid");
  const second = await runOnce();
  expect(app.received.length).toBe(before + 1);
  const delivered = app.received.at(-1);
  const event = Stripe.webhooks.constructEvent(
    delivered?.body.toString("utf8") ?? "",
    String(delivered?.headers["stripe-signature"]),
    SECRET,
  );
  expect(event.type).toBe("invoice.paid");
  return [first, second];
}

describe("docs/recipes.md", () => {
  it("shows every recipe file exactly as it is in the repository", () => {
    const page = readFileSync(join(ROOT, "docs/recipes.md"), "utf8");
    const quoted = [...page.matchAll(/<!-- file: (\S+) -->\n```[^\n]*\n([\s\S]*?)```\n/g)];
    expect(quoted.map((m) => m[1])).toEqual(
      expect.arrayContaining([
        "docs/recipes/crontab",
        "docs/recipes/hook-poll.service",
        "docs/recipes/hook-poll.timer",
        "docs/recipes/hook-poll.env",
        "Dockerfile",
        "docs/recipes/k8s-cronjob.yaml",
        "docs/recipes/github-actions.yml",
      ]),
    );
    for (const [, file, shown] of quoted) expect(shown, file).toBe(recipe(file as string));
  });
});

describe("the crontab", () => {
  const crontab = recipe("docs/recipes/crontab").split("\n");
  const assignments = crontab.filter((l) => /^[A-Z_]+=/.test(l));
  const job = crontab.find((l) => /^[\d*]/.test(l)) ?? "";

  it("calls an installed hook, never npx", () => {
    expect(job).toMatch(/ hook poll /);
    expect(crontab.join("\n")).not.toMatch(/npx/);
  });

  it("runs under env -i with only cron's variables, and delivers the next event signed", async () => {
    const command = relocate(job.split(" ").slice(5).join(" "), places);
    // What cron gives a job: HOME, LOGNAME, SHELL, PATH, overridden by the crontab's own lines.
    const env: Record<string, string> = {
      HOME: dir,
      LOGNAME: "root",
      SHELL: "/bin/sh",
      PATH: "/usr/bin:/bin",
    };
    for (const line of assignments) {
      const [name, value] = [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)];
      env[name] = relocate(value, places);
    }
    const runs = await twoRuns(() => runClean([env.SHELL as string, "-c", command], env, dir));
    expect(runs.map((r) => r.code)).toEqual([0, 0]);
    expect(readFileSync(places["/var/log/hook-poll.log"] as string, "utf8")).toMatch(/invoice\.paid/);
  });
});

describe("the systemd units", () => {
  const service = recipe("docs/recipes/hook-poll.service");
  const setting = (name: string) => new RegExp(`^${name}=(.*)$`, "m").exec(service)?.[1] ?? "";

  it("keep comments on their own lines (systemd reads a # after a value as part of it)", () => {
    for (const file of ["docs/recipes/hook-poll.service", "docs/recipes/hook-poll.timer"]) {
      const trailing = recipe(file)
        .split("\n")
        .filter((l) => /^[A-Za-z]+=.*[#;]/.test(l));
      expect(trailing, file).toEqual([]);
    }
  });

  it("wait for the network and call an installed hook, never npx", () => {
    expect(setting("Wants")).toBe("network-online.target");
    expect(setting("After")).toBe("network-online.target");
    expect(setting("ExecStart")).toMatch(/^\/\S+\/hook poll /);
    expect(service).not.toMatch(/npx/);
  });

  it.skipIf(!hasCommand("systemd-analyze"))("pass systemd-analyze verify", async () => {
    const units = join(dir, "units");
    mkdirSync(units, { recursive: true });
    writeFileSync(join(units, "hook-poll.service"), relocate(service, places));
    writeFileSync(join(units, "hook-poll.timer"), recipe("docs/recipes/hook-poll.timer"));
    const env = { PATH: process.env.PATH ?? "/usr/bin:/bin", SYSTEMD_LOG_LEVEL: "warning" };
    const result = await runClean(
      ["systemd-analyze", "verify", "--man=no", "hook-poll.service", "hook-poll.timer"],
      env,
      units,
    );
    // Messages about the host's own units are not ours; any about these two are.
    const ours = result.stderr.split("\n").filter((l) => l.includes("hook-poll"));
    expect(ours).toEqual([]);
    expect(result.code).toBe(0);
  });

  it("start as systemd starts them: EnvironmentFile, WorkingDirectory, ExecStart; 75 counts as success", async () => {
    const unit = relocate(service, places);
    const read = (name: string) => new RegExp(`^${name}=(.*)$`, "m").exec(unit)?.[1] ?? "";
    const envFile = read("EnvironmentFile");
    expect(existsSync(envFile), `EnvironmentFile=${envFile}`).toBe(true);
    const env: Record<string, string> = { PATH: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin" };
    for (const line of readFileSync(envFile, "utf8")
      .split("\n")
      .filter((l) => l.includes("="))) {
      env[line.slice(0, line.indexOf("="))] = line.slice(line.indexOf("=") + 1);
    }
    const start = () => runClean(read("ExecStart").split(" "), env, read("WorkingDirectory"));
    const ok = new Set([0, ...read("SuccessExitStatus").split(/\s+/).map(Number)]);
    const runs = await twoRuns(start);
    expect(runs.every((r) => ok.has(r.code ?? -1))).toBe(true);
    // A run that finds the previous one still holding the lock exits 75, which the unit accepts.
    const lock = join(read("WorkingDirectory"), ".hook", "poll", "stripe-events.json.lock");
    writeFileSync(lock, JSON.stringify({ pid: process.pid, startedAt: new Date().toISOString() }));
    const locked = await start();
    expect(locked.code).toBe(75);
    expect(ok.has(75)).toBe(true);
  });
});
