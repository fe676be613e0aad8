/**
 * hook as a user gets it from the registry: the tarball `npm pack` makes, installed into an empty
 * project, its `hook` executable and its library, with nothing from this clone on the path.
 */
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import Stripe from "stripe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { providerNames } from "../../src/providers/index.js";
import { ROOT } from "../helpers/cli.js";
import { Target } from "../helpers/target.js";
import { installInto, type Packed, pack } from "./helpers.js";

const run = promisify(execFile);
const SECRET = "whsec_package_test";
const manifest = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));

let dir: string;
let project: string;
let packed: Packed;
const target = new Target();

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "hook-package-"));
  project = join(dir, "consumer");
  mkdirSync(project);
  packed = await pack(dir);
  await installInto(project, packed.tarball);
  await target.start();
}, 180_000);

afterAll(async () => {
  await target.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("the tarball", () => {
  it("holds the executable, the build, the samples, README and LICENSE", () => {
    for (const file of ["package.json", "bin/hook.js", "dist/cli.js", "dist/index.js", "dist/index.d.ts"]) {
      expect(packed.files).toContain(file);
    }
    expect(packed.files).toContain("README.md");
    expect(packed.files).toContain("LICENSE");
    expect(packed.files).toContain("fixtures/stripe/payment_intent.succeeded.json");
    // The inspector's page is read from the package at run time.
    expect(packed.files).toContain("inspector/index.html");
    expect(packed.files).toContain("inspector/app.js");
  });

  it("holds no tests, sources, benchmarks, source maps or captured data", () => {
    const unwanted = packed.files.filter(
      (f) =>
        /^(test|src|bench|\.hook|\.ci)\//.test(f) ||
        /\.(map|tsbuildinfo)$/.test(f) ||
        (f.endsWith(".ts") && !f.endsWith(".d.ts")),
    );
    expect(unwanted).toEqual([]);
    // Every sample is fixtures/<a provider hook knows>/<event>.json: a folder like fixtures/captured/
    // (what `listen --save` would write there) is somebody's real webhooks and must not ship.
    const samples = packed.files.filter((f) => f.startsWith("fixtures/"));
    const strays = samples.filter((f) => {
      const [, provider, name, extra] = f.split("/");
      return (
        !provider || !providerNames().includes(provider) || !name?.endsWith(".json") || extra !== undefined
      );
    });
    expect(strays).toEqual([]);
  });

  it("is named hookcli, installs the executable hook, and its LICENSE is the license package.json names", () => {
    expect(manifest.name).toBe("hookcli");
    expect(manifest.bin).toEqual({ hook: "bin/hook.js" });
    expect(manifest.license).toBe("MIT");
    expect(readFileSync(join(ROOT, "LICENSE"), "utf8")).toMatch(/^MIT License\n/);
  });
});

describe("installed from the tarball", () => {
  const hook = () => join(project, "node_modules", ".bin", "hook");

  it("runs hook --version", async () => {
    const { stdout } = await run(hook(), ["--version"], { cwd: project });
    expect(stdout.trim()).toBe(manifest.version);
  });

  it("sends a built-in sample with hook trigger, found in the package, that stripe-node accepts", async () => {
    target.respond = () => ({ status: 200, body: "ok" });
    const before = target.received.length;
    await run(
      hook(),
      ["trigger", "stripe", "payment_intent.succeeded", "--to", target.url, "--secret", SECRET],
      {
        cwd: project,
        env: { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: "1" },
      },
    );
    const request = target.received[before];
    expect(request).toBeDefined();
    const event = Stripe.webhooks.constructEvent(
      request?.body.toString("utf8") ?? "",
      String(request?.headers["stripe-signature"]),
      SECRET,
    );
    expect(event.type).toBe("payment_intent.succeeded");
  });
});

describe("the library, imported from the installed package", () => {
  const tsc = join(ROOT, "node_modules", "typescript", "bin", "tsc");
  it("type-checks a test file that uses the API, and a wrong argument is a type error", async () => {
    writeFileSync(join(project, "use.ts"), USE_TS);
    writeFileSync(join(project, "wrong.ts"), WRONG_TS);
    const tsconfig = {
      compilerOptions: {
        module: "NodeNext",
        moduleResolution: "NodeNext",
        target: "ES2022",
        strict: true,
        noEmit: true,
        types: ["node"],
        typeRoots: [join(ROOT, "node_modules", "@types")],
      },
      files: ["use.ts", "wrong.ts"],
    };
    writeFileSync(join(project, "tsconfig.json"), JSON.stringify(tsconfig));
    // One program for both files (tsc costs seconds per run): use.ts must be clean, wrong.ts must not.
    const errors = await run(process.execPath, [tsc, "-p", "tsconfig.json"], { cwd: project }).then(
      () => "",
      (error: { stdout: string }) => error.stdout,
    );
    const lines = errors.split("\n").filter((line) => line.includes("error TS"));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^wrong\.ts\(2,.*error TS2322/);
    // tsc over the package's declarations and Node's types takes seconds, more on a busy machine.
  }, 120_000);

  it("signs, verifies and replays in-process, returning data and printing nothing", async () => {
    target.respond = () => ({ status: 200, body: "ok" });
    writeFileSync(join(project, "use.mjs"), USE_MJS);
    const { stdout, stderr } = await run(process.execPath, ["use.mjs", target.url, SECRET], { cwd: project });
    expect(stderr).toBe("");
    const out = JSON.parse(stdout);
    expect(out.verified).toEqual({ ok: true, type: "payment_intent.succeeded", id: "evt_lib_1" });
    expect(out.forged.ok).toBe(false);
    expect(out.forged.code).toBe("no-match");
    expect(out.providers).toContain("stripe");
    expect(out.replay.summary).toMatchObject({ total: 2, passed: 2 });
    expect(out.replay.ok).toBe(true);
    expect(out.folder).toEqual({ hookError: true, exitCode: 2, message: ". is a folder" });
    const last = target.received.at(-1);
    const event = Stripe.webhooks.constructEvent(
      last?.body.toString("utf8") ?? "",
      String(last?.headers["stripe-signature"]),
      SECRET,
    );
    expect(event.data.object).toMatchObject({ amount: 4242 });
  });
});

describe("the README's vitest example", () => {
  it("passes against an app that verifies with stripe-node, and fails against one that rejects", async () => {
    const readme = readFileSync(join(ROOT, "README.md"), "utf8");
    const example = /<!-- tested by test\/package\/package\.test\.ts[^\n]*\n```ts\n([\s\S]*?)```/.exec(
      readme,
    )?.[1];
    expect(example).toBeDefined();
    writeFileSync(join(project, "example.test.ts"), example ?? "");
    symlinkSync(join(ROOT, "node_modules", "vitest"), join(project, "node_modules", "vitest"));
    const vitest = (app: string) =>
      run(process.execPath, [join(ROOT, "node_modules", "vitest", "vitest.mjs"), "run", "example.test.ts"], {
        cwd: project,
        env: { ...process.env, WEBHOOK_URL: `${target.url}/${app}`, STRIPE_WEBHOOK_SECRET: SECRET, CI: "1" },
      }).then(
        () => 0,
        (error: { code: number }) => error.code,
      );
    // The app: 200 only for what stripe-node's constructEvent accepts, like a real Stripe handler.
    target.respond = (request) => {
      try {
        Stripe.webhooks.constructEvent(
          request.body.toString("utf8"),
          String(request.headers["stripe-signature"]),
          SECRET,
        );
        return { status: request.url.startsWith("/broken") ? 500 : 200, body: "ok" };
      } catch {
        return { status: 400, body: "bad signature" };
      }
    };
    expect(await vitest("webhooks")).toBe(0);
    expect(await vitest("broken")).not.toBe(0);
  }, 60_000);
});

/** What an app's own vitest file would do with the library (type-checked, not run). */
const USE_TS = `import { type Fixture, loadFixture, providers, replay, sample, sign, verify } from "hookcli";
const body = JSON.stringify({ id: "evt_1", type: "invoice.paid" });
const signed: { headers: Record<string, string>; body: Uint8Array } = sign({ provider: "stripe", secret: "whsec_x", body });
const result = verify({ provider: "stripe", secret: ["whsec_x"], body, headers: signed.headers });
if (!result.ok) console.log(result.code, result.reason);
const names: string[] = providers().map((p) => p.name);
const fixture: Fixture = sample("stripe", "invoice.paid");
const again: Fixture = loadFixture(fixture.file);
const outcome = await replay([again], { to: "http://127.0.0.1:1/hook", secret: "whsec_x", set: { "data.object.amount": 1 } });
const passed: number = outcome.summary.passed;
console.log(names, passed, outcome.results[0]?.status);
`;

/** A number where the secret goes: the library's types must say no. */
const WRONG_TS = `import { sign } from "hookcli";
sign({ provider: "stripe", secret: 42, body: "{}" });
`;

/** The same calls, run: the package's library from its installed place. */
const USE_MJS = `import { HookError, loadFixture, providers, replay, sample, sign, verify } from "hookcli";
const [to, secret] = process.argv.slice(2);
const body = JSON.stringify({ id: "evt_lib_1", object: "event", type: "payment_intent.succeeded" });
const { headers } = sign({ provider: "stripe", secret, body });
const verified = verify({ provider: "stripe", secret, body, headers });
const forged = verify({ provider: "stripe", secret, body: body + " ", headers });
const replayed = await replay([sample("stripe", "payment_intent.succeeded")], {
  to, secret, repeat: 2, set: { "data.object.amount": 4242 },
});
let folder;
try {
  loadFixture(".");
} catch (error) {
  folder = { hookError: error instanceof HookError, exitCode: error.exitCode, message: error.message };
}
console.log(JSON.stringify({ verified, forged, providers: providers().map((p) => p.name), replay: replayed, folder }));
`;
