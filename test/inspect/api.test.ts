import Stripe from "stripe";
import { describe, expect, it } from "vitest";
import { linesOf, listenSetup, SECRET, stripeHeader, waitForLines } from "../listen/helpers.js";
import { getJson, type Inspecting, postJson, rawRequest, startInspecting } from "./helpers.js";

const event = (id: string, amount = 2000) =>
  `{"id":"${id}","object":"event","type":"payment_intent.succeeded","data":{"object":{"id":"pi_1","amount":${amount}}}}`;

async function sendStripe(url: string, body: string, extra: Record<string, string> = {}) {
  return fetch(`${url}/webhooks/stripe`, {
    method: "POST",
    headers: { "content-type": "application/json", "stripe-signature": stripeHeader(body), ...extra },
    body,
  });
}

describe("the inspector's API", () => {
  const setup = listenSetup();
  let hook: Inspecting;

  const start = async (...args: string[]) =>
    setup.track(
      await startInspecting(
        ["--provider", "stripe", "--secret", SECRET, "-f", `${setup.target.url}/app`, ...args],
        { cwd: setup.work.dir },
      ),
    );

  it("lists summaries as the --json request lines, and shows a record with its answer, redacted", async () => {
    setup.target.respond = () => ({
      status: 201,
      headers: { "content-type": "application/json", "set-cookie": "session=app-secret" },
      body: '{"took":"it"}',
    });
    hook = await start();
    await sendStripe(hook.url, event("evt_a"), { authorization: "Bearer token-that-is-secret" });
    await fetch(`${hook.url}/webhooks/stripe`, {
      method: "POST",
      headers: { "stripe-signature": "t=1,v1=00" },
      body: event("evt_b"),
    });
    const lines = await waitForLines(hook.proc, "request", 2);

    const { requests } = (await getJson(`${hook.inspectUrl}/api/requests`)) as { requests: unknown[] };
    const { kind: _a, ...first } = lines[0] as Record<string, unknown>;
    const { kind: _b, ...second } = lines[1] as Record<string, unknown>;
    expect(requests).toEqual([second, first]);
    const older = (await getJson(`${hook.inspectUrl}/api/requests?limit=1&before=2`)) as {
      requests: unknown[];
    };
    expect(older.requests).toEqual([first]);

    const one = await getJson(`${hook.inspectUrl}/api/requests/1`);
    expect(one).toMatchObject({ n: 1, event: "payment_intent.succeeded", id: "evt_a", verified: true });
    expect(one.body).toBe(event("evt_a"));
    expect((one.headers as Record<string, string>).authorization).toBe("[redacted]");
    expect(one.verification).toEqual({ ok: true });
    expect(one.response).toMatchObject({ status: 201, body: '{"took":"it"}', truncated: false });
    expect((one.response as { headers: Record<string, string> }).headers["set-cookie"]).toBe("[redacted]");
    expect(JSON.stringify(one)).not.toContain("token-that-is-secret");

    const two = await getJson(`${hook.inspectUrl}/api/requests/2`);
    expect(two.verification).toMatchObject({ ok: false });
    expect(String((two.verification as { reason: string }).reason)).toMatch(/timestamp|signature/);
    expect(two.response).toBeNull();

    const missing = await fetch(`${hook.inspectUrl}/api/requests/99`);
    expect(missing.status).toBe(404);
  });

  it("replays an edited body signed afresh: the target's Stripe SDK accepts it; curl sends the same bytes", async () => {
    hook = await start();
    const original = event("evt_replay", 100);
    await sendStripe(hook.url, original, { authorization: "Bearer keep-me" });
    await setup.target.waitFor(1);
    const oldSignature = setup.target.received[0]?.headers["stripe-signature"];

    const edited = event("evt_replay", 999);
    const { status, json } = await postJson(`${hook.inspectUrl}/api/requests/1/replay`, { body: edited });
    expect(status).toBe(200);
    expect(json.n).toBe(2);
    await setup.target.waitFor(2);
    const arrived = setup.target.received[1];
    expect(arrived?.body.toString()).toBe(edited);
    expect(arrived?.url).toBe("/app/webhooks/stripe");
    const signature = String(arrived?.headers["stripe-signature"]);
    expect(signature).not.toBe(oldSignature);
    const verified = Stripe.webhooks.constructEvent(arrived?.body as Buffer, signature, SECRET);
    expect((verified.data.object as { amount: number }).amount).toBe(999);
    // A recorded secret header is sent again as it was (hook itself never shows it).
    expect(arrived?.headers.authorization).toBe("Bearer keep-me");

    // An edit built from what the page shows ("[redacted]") still sends the recorded value.
    const shown = await getJson(`${hook.inspectUrl}/api/requests/1`);
    await postJson(`${hook.inspectUrl}/api/requests/1/replay`, { headers: shown.headers, body: edited });
    await setup.target.waitFor(3);
    expect(setup.target.received[2]?.headers.authorization).toBe("Bearer keep-me");

    const replayed = await getJson(`${hook.inspectUrl}/api/requests/2`);
    expect(replayed).toMatchObject({ replayOf: 1, verified: true, outcome: "forwarded", duplicate: true });
    const line = (await waitForLines(hook.proc, "request", 2))[1];
    expect(line).toMatchObject({ n: 2, replayOf: 1 });

    const curl = await postJson(`${hook.inspectUrl}/api/requests/1/curl`, {});
    const command = String(curl.json.curl);
    expect(command).toContain(`${hook.url}/webhooks/stripe`);
    expect(command).toMatch(/Stripe-Signature: t=\d+,v1=[0-9a-f]{64}/i);
    expect(command).toContain(`--data-binary '${original}'`);
    expect(command).not.toContain("keep-me");
  });

  it("refuses a foreign Host (DNS rebinding), a foreign Origin and a non-JSON change (CSRF) with 403", async () => {
    hook = await start();
    await sendStripe(hook.url, event("evt_guard"));
    await waitForLines(hook.proc, "request", 1);
    const port = hook.inspectPort;
    const url = `${hook.inspectUrl}/api/requests`;

    const rebound = await rawRequest(url, { headers: { host: `evil.example:${port}` } });
    expect(rebound.status).toBe(403);
    expect(rebound.body).not.toContain("evt_guard");
    const page = await rawRequest(`${hook.inspectUrl}/`, { headers: { host: "attacker.test" } });
    expect(page.status).toBe(403);
    for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`]) {
      expect((await rawRequest(url, { headers: { host } })).status).toBe(200);
    }

    const replay = `${hook.inspectUrl}/api/requests/1/replay`;
    const json = { host: `127.0.0.1:${port}`, "content-type": "application/json" };
    const foreign = await rawRequest(replay, {
      method: "POST",
      headers: { ...json, origin: "https://evil.example" },
      body: "{}",
    });
    expect(foreign.status).toBe(403);
    const form = await rawRequest(replay, {
      method: "POST",
      headers: { host: `127.0.0.1:${port}`, "content-type": "application/x-www-form-urlencoded" },
      body: "a=1",
    });
    expect(form.status).toBe(403);
    const text = await rawRequest(replay, {
      method: "POST",
      headers: { host: `127.0.0.1:${port}` },
      body: "{}",
    });
    expect(text.status).toBe(403);
    // None of the refused ones replayed anything.
    expect(setup.target.received).toHaveLength(1);
    const own = await rawRequest(replay, {
      method: "POST",
      headers: { ...json, origin: hook.inspectUrl },
      body: "{}",
    });
    expect(own.status).toBe(200);
    await setup.target.waitFor(2);
    expect(page.headers["x-frame-options"]).toBe("DENY");
  });

  it("the receiver port serves no inspector: /api/requests there is an ordinary webhook", async () => {
    hook = await start();
    const asked = await fetch(`${hook.url}/api/requests`);
    expect(asked.status).toBe(401);
    const root = await fetch(`${hook.url}/`);
    expect(root.headers.get("content-type") ?? "").not.toContain("text/html");
    const lines = await waitForLines(hook.proc, "request", 2);
    expect(lines.map((l) => l.path)).toEqual(["/api/requests", "/"]);
    expect(lines[0]).toMatchObject({ outcome: "rejected" });
    expect(setup.target.received).toHaveLength(0);
  });

  it("a request's fixture downloads with secrets redacted, and Save as fixture writes into --save's folder", async () => {
    hook = await start("--save", "saved");
    await sendStripe(hook.url, event("evt_fix"), { cookie: "sid=1" });
    await waitForLines(hook.proc, "request", 1);
    const fixture = await getJson(`${hook.inspectUrl}/api/requests/1/fixture`);
    expect(fixture).toMatchObject({
      hook: 1,
      provider: "stripe",
      id: "evt_fix",
      request: { body: event("evt_fix") },
    });
    expect((fixture.request as { headers: Record<string, string> }).headers.cookie).toBe("[redacted]");
    const saved = await postJson(`${hook.inspectUrl}/api/requests/1/save`);
    expect(saved.status).toBe(200);
    expect(String(saved.json.file)).toMatch(/saved\/stripe-payment_intent\.succeeded-evt_fix(-2)?\.json$/);
  });

  it("compares two requests: changed headers and the body lines that differ", async () => {
    hook = await start();
    await sendStripe(hook.url, event("evt_c", 1), { "x-try": "one" });
    await sendStripe(hook.url, event("evt_c", 2), { "x-try": "two" });
    await waitForLines(hook.proc, "request", 2);
    const diff = (await getJson(`${hook.inspectUrl}/api/compare?a=1&b=2`)) as {
      headers: { name: string; same: boolean }[];
      body: { op: string; text: string }[];
    };
    expect(diff.headers.find((h) => h.name === "x-try")).toMatchObject({ a: "one", b: "two", same: false });
    expect(diff.headers.find((h) => h.name === "content-type")?.same).toBe(true);
    expect(diff.body.filter((l) => l.op !== "same")).toEqual([
      { op: "removed", text: '      "amount": 1' },
      { op: "added", text: '      "amount": 2' },
    ]);
  });

  it("answers the outbox API with 404 without --durable, and bad input with 400", async () => {
    hook = await start();
    expect((await fetch(`${hook.inspectUrl}/api/outbox`)).status).toBe(404);
    await sendStripe(hook.url, event("evt_bad"));
    await waitForLines(hook.proc, "request", 1);
    const bad = await postJson(`${hook.inspectUrl}/api/requests/1/replay`, { path: "no-slash" });
    expect(bad.status).toBe(400);
    expect(String(bad.json.error)).toMatch(/must start with \//);
    expect(linesOf(hook.proc, "request")).toHaveLength(1);
    for (const keep of ["0", "many"]) {
      const refused = await fetch(`${hook.inspectUrl}/api/events?batch=1&keep=${keep}`);
      expect(refused.status).toBe(400);
      expect(((await refused.json()) as { error: string }).error).toMatch(/^keep must be/);
    }
  });
});
