import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import Stripe from "stripe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CliProcess, type CliResult, runCli } from "../helpers/cli.js";
import { Target } from "../helpers/target.js";
import { FAKE_CLOUDFLARED, waitForLines, workDir } from "../listen/helpers.js";

/**
 * Secrets planted in every place a user can put one (flags, env: values, URLs, headers, fixtures,
 * what a sender sends, what an API answers), and every output of every command searched for them:
 * stdout and stderr, human and --json, reports and saved fixtures.
 */
const S = {
  secret: "whsec_PLANTEDsecretVALUE0001",
  forwardPass: "fwdPASSWORD0002",
  forwardKey: "fwdAPIKEY0003",
  senderQuery: "senderQUERYTOKEN0004",
  senderAuth: "senderAUTHHEADER0005",
  tunnelToken: "tunnelTOKENVALUE0006",
  telegram: "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw0",
  fixtureAuth: "fixtureAUTHVALUE0007",
  fixtureKey: "fixtureQUERYKEY0008",
  toPass: "toPASSWORDVALUE0009",
  toToken: "toACCESSTOKEN0010",
  headerKey: "headerAPIKEY0011",
  apiKey: "sk_test_PLANTEDapiKEY0012",
  apiQuery: "apiQUERYKEY0013",
  apiBearer: "apiBEARERTOKEN0014",
  forwardSecret: "whsec_PLANTEDforwardSECRET0015",
};
const planted = Object.entries(S);

const outputs: { what: string; text: string }[] = [];
function keep(what: string, result: Pick<CliResult, "stdout" | "stderr">): void {
  outputs.push(
    { what: `${what} (stdout)`, text: result.stdout },
    { what: `${what} (stderr)`, text: result.stderr },
  );
}
function keepFiles(what: string, dir: string): void {
  for (const name of readdirSync(dir, { recursive: true }) as string[]) {
    if (name.endsWith(".json") || name.endsWith(".xml")) {
      outputs.push({ what: `${what}: ${name}`, text: readFileSync(join(dir, name), "utf8") });
    }
  }
}

/** An API that answers /events with one item, and anything else with a 401 that echoes the credentials it got. */
function fakeApi(): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    if (req.url?.startsWith("/events")) {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ items: [{ id: "it_1", what: "thing" }] }));
      return;
    }
    res.writeHead(401, { "content-type": "application/json" });
    res.end(JSON.stringify({ message: `bad key ${req.headers.authorization} for ${req.url}` }));
  });
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () =>
      resolve({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server }),
    ),
  );
}

describe("no planted secret reaches any output", () => {
  let target: Target;
  let api: { url: string; server: Server };
  let work: ReturnType<typeof workDir>;
  const env = { PLANTED_SECRET: S.secret, PLANTED_API_KEY: S.apiKey, PLANTED_FORWARD: S.forwardSecret };

  beforeAll(async () => {
    target = await new Target().start();
    // The app echoes nothing secret but fails, so every "answer:" path is taken.
    target.respond = () => ({ status: 400, body: "Webhook Error: bad payload" });
    api = await fakeApi();
    work = workDir();
  });

  afterAll(async () => {
    await target.close();
    await new Promise((r) => api.server.close(r));
    work.remove();
  });

  const forwardTo = () =>
    `${target.url.replace("http://", `http://app:${S.forwardPass}@`)}/hook?api_key=${S.forwardKey}`;
  const to = () => `${target.url.replace("http://", `http://qa:${S.toPass}@`)}/x?access_token=${S.toToken}`;

  it.each([false, true])(
    "listen (--json %s) with a sender's query, Authorization and a Telegram token",
    async (json) => {
      const save = join(work.dir, `saved-${json}`);
      const proc = new CliProcess(
        [
          "listen",
          "--port",
          "0",
          ...(json ? ["--json"] : []),
          "--provider",
          "stripe",
          "--secret",
          "env:PLANTED_SECRET",
          "--forward-to",
          forwardTo(),
          // Given by value with --json, through env: without: both ways stay out of every output.
          "--forward-secret",
          json ? S.forwardSecret : "env:PLANTED_FORWARD",
          "--save",
          save,
          "--cloudflared",
          FAKE_CLOUDFLARED,
          "--tunnel-token",
          S.tunnelToken,
        ],
        { cwd: work.dir, env },
      );
      try {
        const ready = await proc.waitFor(
          json ? /"kind":"ready"[^\n]*"port":(\d+)/ : /listening on http:\/\/127\.0\.0\.1:(\d+)/,
        );
        const body = '{"id":"evt_leak","type":"charge.refunded"}';
        const url = `http://127.0.0.1:${ready[1]}/tg/${S.telegram}?token=${S.senderQuery}`;
        const signature = Stripe.webhooks.generateTestHeaderString({ payload: body, secret: S.secret });
        await fetch(url, {
          method: "POST",
          body,
          headers: { authorization: `Bearer ${S.senderAuth}`, "stripe-signature": signature },
        });
        if (json) await waitForLines(proc, "request", 1);
        else await proc.waitFor(/POST \/tg/);
      } finally {
        await proc.stop();
      }
      keep(`listen json=${json}`, proc);
      keepFiles(`listen --save json=${json}`, save);
    },
  );

  it.each([false, true])(
    "replay (--json %s) of a fixture holding credentials, with --report",
    async (json) => {
      const dir = join(work.dir, `replay-${json}`);
      mkdirSync(dir, { recursive: true });
      const fixture = {
        hook: 1,
        provider: "stripe",
        event: "charge.refunded",
        request: {
          method: "POST",
          path: `/hook?api_key=${S.fixtureKey}`,
          headers: { authorization: `Bearer ${S.fixtureAuth}`, "content-type": "application/json" },
          body: '{"id":"evt_1"}',
        },
      };
      writeFileSync(join(dir, "f.json"), JSON.stringify(fixture));
      for (const report of ["r.json", "r.xml"]) {
        const args = [
          "replay",
          join(dir, "f.json"),
          "--to",
          to(),
          "--secret",
          "env:PLANTED_SECRET",
          "--header",
          `X-Api-Key: ${S.headerKey}`,
          "--report",
          join(dir, report),
        ];
        keep(
          `replay ${report} json=${json}`,
          await runCli(json ? [...args, "--json"] : args, { cwd: work.dir, env }),
        );
      }
      for (const report of ["r.json", "r.xml"]) {
        outputs.push({
          what: `replay --report ${report} json=${json}`,
          text: readFileSync(join(dir, report), "utf8"),
        });
      }
    },
  );

  it.each([false, true])("trigger and check (--json %s) against a --to with credentials", async (json) => {
    const flag = json ? ["--json"] : [];
    keep(
      "trigger",
      await runCli(
        ["trigger", "stripe", "invoice.paid", "--to", to(), "--secret", "env:PLANTED_SECRET", ...flag],
        { cwd: work.dir, env },
      ),
    );
    keep(
      "check",
      await runCli(
        [
          "check",
          "--to",
          to(),
          "--provider",
          "stripe",
          "--secret",
          "env:PLANTED_SECRET",
          "--budget",
          "2s",
          ...flag,
        ],
        { cwd: work.dir, env },
      ),
    );
  });

  it.each([false, true])(
    "poll (--json %s) with credentials in the API URL, a header, env: and the target",
    async (json) => {
      const flag = json ? ["--json"] : [];
      const common = [
        "poll",
        "--provider",
        "http",
        "--items",
        "items",
        "--id",
        "id",
        "--header",
        `Authorization: Bearer ${S.apiBearer}`,
        "--api-key",
        "env:PLANTED_API_KEY",
        "-f",
        forwardTo(),
        "--once",
        "--since",
        "all",
        "--data-dir",
        join(work.dir, `poll-${json}`),
        ...flag,
      ];
      keep(
        "poll",
        await runCli([...common, "--url", `${api.url}/events?api_key=${S.apiQuery}`], { cwd: work.dir, env }),
      );
      // The API refuses and echoes what it got: the error still shows no credential.
      keep(
        "poll refused",
        await runCli([...common, "--url", `${api.url}/nope?api_key=${S.apiQuery}`], { cwd: work.dir, env }),
      );
    },
  );

  it("verify with a wrong signature says why without the secret", async () => {
    keep(
      "verify",
      await runCli(
        [
          "verify",
          "--provider",
          "stripe",
          "--secret",
          "env:PLANTED_SECRET",
          "--header",
          "Stripe-Signature: t=1,v1=00",
        ],
        { cwd: work.dir, env, stdin: "{}" },
      ),
    );
  });

  it("found nothing in any of them", () => {
    if (process.env.HOOK_LEAK_DUMP)
      writeFileSync(process.env.HOOK_LEAK_DUMP, JSON.stringify(outputs, null, 1));
    expect(outputs.length).toBeGreaterThan(30);
    const leaks = outputs.flatMap(({ what, text }) =>
      planted.filter(([, value]) => text.includes(value)).map(([name]) => `${name} in ${what}`),
    );
    expect(leaks).toEqual([]);
  });
});
