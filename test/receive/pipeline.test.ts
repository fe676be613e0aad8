import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Stripe from "stripe";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Forwarder } from "../../src/deliver/forward.js";
import { Journal } from "../../src/deliver/journal.js";
import { Outbox } from "../../src/deliver/outbox.js";
import { signer } from "../../src/deliver/resign.js";
import { EventBus, type ListenEvent, type RequestRecord } from "../../src/events/types.js";
import { getProvider } from "../../src/providers/index.js";
import type { Provider } from "../../src/providers/types.js";
import { SeenIds } from "../../src/receive/dedupe.js";
import { eventFilter } from "../../src/receive/filter.js";
import { VerifyKeys } from "../../src/receive/keys.js";
import { Pipeline } from "../../src/receive/pipeline.js";
import { type Receiver, startReceiver } from "../../src/receive/server.js";
import { Target } from "../helpers/target.js";

type PipelineOptions = ConstructorParameters<typeof Pipeline>[0];

const SECRET = "whsec_pipeline_test";
const stripe = getProvider("stripe");

/** A receiver with a pipeline in this process; the records it emits, the warnings, and the data dir. */
interface Listening {
  url: string;
  records: RequestRecord[];
  warnings: string[];
  pipeline: Pipeline;
  keys: VerifyKeys;
}

let dir: string;
let target: Target;
let receiver: Receiver | undefined;
const closers: (() => Promise<void> | void)[] = [];

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "hook-pipeline-"));
  target = await new Target().start();
});
afterEach(async () => {
  await receiver?.close(0);
  receiver = undefined;
  for (const close of closers.splice(0).reverse()) await close();
  await target.close();
  rmSync(dir, { recursive: true, force: true });
});

async function listen(over: Partial<PipelineOptions> = {}, maxBody = 64 * 1024): Promise<Listening> {
  const records: RequestRecord[] = [];
  const warnings: string[] = [];
  const bus = new EventBus();
  bus.on((e: ListenEvent) => {
    if (e.kind === "request") records.push(e.record);
    if (e.kind === "warning") warnings.push(e.message);
  });
  const provider = "provider" in over ? over.provider : stripe;
  const keys = over.keys ?? new VerifyKeys(provider, [SECRET]);
  const pipeline = new Pipeline({
    provider,
    describer: provider ?? getProvider("none"),
    keys,
    seen: new SeenIds(dir),
    maxBody,
    now: () => new Date(),
    tunnelUrl: () => undefined,
    bus,
    ...over,
  });
  receiver = await startReceiver({
    host: "127.0.0.1",
    port: 0,
    maxBody,
    now: () => new Date(),
    handle: (incoming) => pipeline.handle(incoming),
  });
  return { url: `http://127.0.0.1:${receiver.port}`, records, warnings, pipeline, keys };
}

function forwarder(timeoutMs = 5_000, url = target.url): Forwarder {
  const f = new Forwarder(new URL(url), timeoutMs, {});
  closers.push(() => f.close(0));
  return f;
}

const event = (id = "evt_1", type = "payment_intent.succeeded") =>
  `{\n  "id": "${id}",\n  "object": "event",\n  "type": "${type}"\n}`;

function signed(body: string, secret = SECRET, timestamp = Math.floor(Date.now() / 1000)) {
  return {
    "content-type": "application/json",
    "stripe-signature": Stripe.webhooks.generateTestHeaderString({ payload: body, secret, timestamp }),
  };
}

async function post(url: string, body: string, headers: Record<string, string>, path = "/hooks") {
  const res = await fetch(`${url}${path}`, { method: "POST", body, headers });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

describe("the receiving pipeline, verified", () => {
  it("accepts a verified request without a target: 200 {ok:true}, recorded with its event", async () => {
    const l = await listen();
    const body = event();
    const res = await post(l.url, body, signed(body));
    expect(res.status).toBe(200);
    expect(JSON.parse(res.text)).toEqual({ ok: true });
    expect(res.headers.get("content-type")).toBe("application/json; charset=utf-8");
    expect(l.records).toHaveLength(1);
    expect(l.records[0]).toMatchObject({
      n: 1,
      method: "POST",
      path: "/hooks",
      provider: "stripe",
      event: "payment_intent.succeeded",
      eventId: "evt_1",
      verification: { ok: true },
      outcome: "accepted",
      status: 200,
      duplicate: false,
      reconciled: false,
    });
    expect(Buffer.from(l.records[0]?.body ?? []).toString()).toBe(body);
    expect(l.records[0]?.latencyMs).toBeGreaterThanOrEqual(0);
  });

  it("rejects a bad signature with 401 and the reason, and never forwards it", async () => {
    const l = await listen({ forwarder: forwarder() });
    const body = event();
    const res = await post(l.url, body, signed(body, "whsec_wrong"));
    expect(res.status).toBe(401);
    const answer = JSON.parse(res.text) as { error: string; reason: string };
    expect(answer.error).toBe("invalid signature");
    expect(answer.reason).toMatch(/signature/i);
    expect(target.received).toHaveLength(0);
    expect(l.records[0]).toMatchObject({ outcome: "rejected", status: 401, error: answer.reason });
    expect(l.records[0]?.verification).toMatchObject({ ok: false, reason: answer.reason });
  });

  it("rejects a stale signature inside the window, and accepts it when --tolerance 0 turns the check off", async () => {
    const body = event();
    const dayOld = signed(body, SECRET, Math.floor(Date.now() / 1000) - 86_400);
    const strict = await listen({ toleranceSeconds: 300 });
    expect((await post(strict.url, body, dayOld)).status).toBe(401);
    await receiver?.close(0);
    const off = await listen({ toleranceSeconds: 0 });
    expect((await post(off.url, body, dayOld)).status).toBe(200);
  });

  it("verifies with the secret swapped in while listening (--register), from the next request on", async () => {
    const l = await listen();
    const body = event();
    l.keys.use({ secrets: ["whsec_new"] });
    expect((await post(l.url, body, signed(body))).status).toBe(401);
    expect((await post(l.url, body, signed(body, "whsec_new"))).status).toBe(200);
    expect(l.keys.secrets).toEqual(["whsec_new"]);
    l.keys.use({ provider: getProvider("github") });
    expect(l.keys.provider?.name).toBe("github");
    expect(l.keys.secrets).toEqual(["whsec_new"]);
    expect((await post(l.url, body, signed(body, "whsec_new"))).status).toBe(401);
  });

  it("no --provider: nothing is verified, the request is described and accepted", async () => {
    const l = await listen({ provider: undefined, keys: new VerifyKeys(undefined, []) });
    const res = await post(l.url, '{"type":"x.y","id":"1"}', {});
    expect(res.status).toBe(200);
    expect(l.records[0]).toMatchObject({
      provider: "none",
      event: "x.y",
      eventId: "1",
      verification: undefined,
    });
  });

  it("numbers records on from firstNumber", async () => {
    const l = await listen({ firstNumber: 41 });
    const body = event();
    await post(l.url, body, signed(body));
    await post(l.url, body, signed(body));
    expect(l.records.map((r) => r.n)).toEqual([41, 42]);
  });
});

describe("the receiving pipeline, records", () => {
  it("a request too large to read is not described, even from its headers", async () => {
    const github = getProvider("github");
    const l = await listen({ provider: github, keys: new VerifyKeys(github, ["s"]) }, 16);
    const res = await post(l.url, "x".repeat(100), { "x-github-event": "push", "x-github-delivery": "d-1" });
    expect(res.status).toBe(413);
    expect(l.records[0]).toMatchObject({ outcome: "too-large", event: undefined, deliveryId: undefined });
  });

  it("hands the forwarder the delivery id it described (what --forward-secret keeps when it re-signs)", async () => {
    const github = getProvider("github");
    const given: (string | undefined)[] = [];
    const keeping = new Forwarder(new URL(target.url), 5_000, {}, (request, deliveryId) => {
      given.push(deliveryId);
      return request;
    });
    closers.push(() => keeping.close(0));
    const l = await listen({ provider: github, keys: new VerifyKeys(github, ["s"]), forwarder: keeping });
    const body = '{"zen":"hi"}';
    const signature = github.sign({
      body: Buffer.from(body),
      secret: "s",
      timestamp: new Date(),
      deliveryId: "d-42",
    });
    const res = await post(l.url, body, {
      ...signature,
      "x-github-event": "ping",
      "content-type": "application/json",
    });
    expect(res.status).toBe(200);
    expect(given).toEqual(["d-42"]);
  });

  it("the none provider verifies nothing: no verdict on the record", async () => {
    const none = getProvider("none");
    const l = await listen({ provider: none, keys: new VerifyKeys(none, ["s"]) });
    expect((await post(l.url, "{}", {})).status).toBe(200);
    expect(l.records[0]).toMatchObject({ provider: "none", outcome: "accepted" });
    expect(l.records[0]?.verification).toBeUndefined();
  });

  it("a replay from the inspector says which record it replays, and reaches the caller", async () => {
    const l = await listen();
    const body = event();
    const got: number[] = [];
    await l.pipeline.handle(
      {
        method: "POST",
        path: "/",
        headers: Object.entries(signed(body)),
        body: Buffer.from(body),
        receivedAt: new Date("2026-01-02T03:04:05Z"),
        replayOf: 7,
      },
      (record) => got.push(record.replayOf ?? -1),
    );
    expect(got).toEqual([7]);
    expect(l.records[0]).toMatchObject({ replayOf: 7, reconciled: false });
    expect(l.records[0]?.receivedAt.toISOString()).toBe("2026-01-02T03:04:05.000Z");
  });
});

describe("the receiving pipeline, routing", () => {
  it("forwards a verified request: method, path, headers and exact bytes; the app's answer goes back", async () => {
    target.respond = () => ({
      status: 201,
      headers: { "x-app": "yes", "content-type": "text/plain" },
      body: "made",
    });
    const l = await listen({ forwarder: forwarder() });
    const body = event();
    const res = await post(l.url, body, signed(body), "/hooks?x=1");
    expect(res.status).toBe(201);
    expect(res.text).toBe("made");
    expect(res.headers.get("x-app")).toBe("yes");
    const got = target.received[0];
    expect(got?.url).toBe("/hooks?x=1");
    expect(got?.body.toString()).toBe(body);
    expect(() =>
      Stripe.webhooks.constructEvent(
        got?.body.toString() ?? "",
        got?.headers["stripe-signature"] as string,
        SECRET,
      ),
    ).not.toThrow();
    expect(l.records[0]).toMatchObject({ outcome: "forwarded", status: 201, targetStatus: 201 });
    expect(l.records[0]?.response).toMatchObject({ status: 201, truncated: false });
    expect(Buffer.from(l.records[0]?.response?.body ?? []).toString()).toBe("made");
  });

  it("keeps only the start of a huge answer in the record, while the sender gets all of it", async () => {
    const big = "x".repeat(1024 * 1024 + 10);
    target.respond = () => ({ status: 200, body: big });
    const l = await listen({ forwarder: forwarder() });
    const body = event();
    const res = await post(l.url, body, signed(body));
    expect(res.text.length).toBe(big.length);
    expect(l.records[0]?.response?.truncated).toBe(true);
    expect(l.records[0]?.response?.body.length).toBe(1024 * 1024);
    const exact = "y".repeat(1024 * 1024);
    target.respond = () => ({ status: 200, body: exact });
    await post(l.url, body, signed(body));
    expect(l.records[1]?.response).toMatchObject({ truncated: false });
    expect(l.records[1]?.response?.body.length).toBe(exact.length);
  });

  it("a target that is down is a 502 that names no host; one that is too slow, a 504", async () => {
    const port = await Target.freePort();
    const down = await listen({ forwarder: forwarder(5_000, `http://127.0.0.1:${port}`) });
    const body = event();
    const res = await post(down.url, body, signed(body));
    expect(res.status).toBe(502);
    expect(JSON.parse(res.text)).toEqual({
      error: "target unreachable",
      reason: "the app behind hook did not answer (refused)",
    });
    expect(res.text).not.toContain(String(port));
    expect(down.records[0]).toMatchObject({ outcome: "unreachable", status: 502 });
    expect(down.records[0]?.error).toContain(String(port));
    await receiver?.close(0);

    target.respond = () => ({ status: 200, delayMs: 3_000 });
    const slow = await listen({ forwarder: forwarder(200) });
    const late = await post(slow.url, body, signed(body));
    expect(late.status).toBe(504);
    expect(JSON.parse(late.text)).toEqual({
      error: "target timed out",
      reason: "the app behind hook did not answer (timeout)",
    });
    expect(slow.records[0]).toMatchObject({ outcome: "timeout", status: 504 });
  });

  it("--events: another event type is answered 200 as filtered and not forwarded", async () => {
    const l = await listen({ forwarder: forwarder(), filter: eventFilter("charge.*") });
    const other = event("evt_2", "payment_intent.created");
    const res = await post(l.url, other, signed(other));
    expect(res.status).toBe(200);
    expect(JSON.parse(res.text)).toEqual({ ok: true, filtered: true });
    const wanted = event("evt_3", "charge.refunded");
    expect((await post(l.url, wanted, signed(wanted))).status).toBe(200);
    expect(target.received.map((r) => JSON.parse(r.body.toString()).id)).toEqual(["evt_3"]);
    expect(l.records.map((r) => r.outcome)).toEqual(["filtered", "forwarded"]);
  });

  it("marks an event seen before in this data dir a duplicate, and still forwards it; also after a restart", async () => {
    const l = await listen({ forwarder: forwarder() });
    const body = event("evt_dup");
    await post(l.url, body, signed(body));
    await post(l.url, body, signed(body));
    expect(l.records.map((r) => r.duplicate)).toEqual([false, true]);
    expect(target.received).toHaveLength(2);
  });

  it("a body over --max-body is answered 413 with the limit, and the connection is closed", async () => {
    const l = await listen({}, 1024);
    const res = await post(l.url, "x".repeat(5_000), {});
    expect(res.status).toBe(413);
    expect(res.headers.get("connection")).toBe("close");
    expect(JSON.parse(res.text)).toEqual({
      error: "payload too large",
      reason: "the body is larger than --max-body 1kb",
    });
    expect(l.records[0]).toMatchObject({ outcome: "too-large", status: 413 });
    expect(l.records[0]?.event).toBeUndefined();
  });
});

describe("the receiving pipeline, handshakes", () => {
  const slack = getProvider("slack");
  const SLACK_SECRET = "8f742231b10e8888abcd99yyyzzz85a5";
  const challenge = '{"token":"t","challenge":"c-123","type":"url_verification"}';
  const slackHeaders = (body: string, secret = SLACK_SECRET) => ({
    "content-type": "application/json",
    ...slack.sign({ body: Buffer.from(body), secret, timestamp: new Date() }),
  });

  it("without a target, hook answers a signed Slack challenge itself; a badly signed one gets its 401", async () => {
    const l = await listen({ provider: slack, keys: new VerifyKeys(slack, [SLACK_SECRET]) });
    const res = await post(l.url, challenge, slackHeaders(challenge));
    expect(res.status).toBe(200);
    expect(res.text).toBe("c-123");
    expect(res.headers.get("content-type")).toBe("text/plain");
    expect(l.records[0]).toMatchObject({ outcome: "handshake", status: 200 });
    const forged = await post(l.url, challenge, slackHeaders(challenge, "wrong"));
    expect(forged.status).toBe(401);
    expect(forged.text).not.toContain("c-123");
  });

  it("with a target, the app answers its own handshake, even one --events would filter", async () => {
    target.respond = () => ({ status: 200, body: "app says c-123" });
    const l = await listen({
      provider: slack,
      keys: new VerifyKeys(slack, [SLACK_SECRET]),
      forwarder: forwarder(),
      filter: eventFilter("message"),
    });
    const res = await post(l.url, challenge, slackHeaders(challenge));
    expect(res.text).toBe("app says c-123");
    expect(target.received).toHaveLength(1);
    const forged = await post(l.url, challenge, slackHeaders(challenge, "wrong"));
    expect(forged.status).toBe(401);
    expect(target.received).toHaveLength(1);
  });

  it("with --register, hook answers the handshake of its own subscription, the target never sees it", async () => {
    const l = await listen({
      provider: slack,
      keys: new VerifyKeys(slack, [SLACK_SECRET]),
      forwarder: forwarder(),
      answersHandshakes: true,
    });
    const res = await post(l.url, challenge, slackHeaders(challenge));
    expect(res.text).toBe("c-123");
    expect(target.received).toHaveLength(0);
  });

  it("WebSub's verification GET carries no signature: answered without one, and forwarded unverified", async () => {
    const websub = getProvider("websub");
    const l = await listen({ provider: websub, keys: new VerifyKeys(websub, ["s"]) });
    const res = await fetch(`${l.url}/yt?hub.mode=subscribe&hub.challenge=ch-9&hub.topic=x`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("ch-9");
    expect(l.records[0]?.verification).toBeUndefined();
    await receiver?.close(0);
    target.respond = () => ({ status: 200, body: "app: ch-9" });
    const fwd = await listen({
      provider: websub,
      keys: new VerifyKeys(websub, ["s"]),
      forwarder: forwarder(),
    });
    const via = await fetch(`${fwd.url}/yt?hub.mode=subscribe&hub.challenge=ch-9&hub.topic=x`);
    expect(await via.text()).toBe("app: ch-9");
    expect(fwd.records[0]).toMatchObject({ outcome: "forwarded", verification: undefined });
  });
});

describe("the receiving pipeline, durable and saved", () => {
  async function outbox() {
    const { journal } = await Journal.open(join(dir, "data"));
    const box = new Outbox({
      journal,
      send: () => Promise.reject(new Error("not started")),
      schedule: [1_000],
      giveUpAfterMs: 60_000,
      deadDir: join(dir, "dead"),
      signer: signer(undefined, undefined),
      emit: () => undefined,
      initial: [],
    });
    return { journal, outbox: box };
  }

  it("--durable: on disk before the 202, with the request as it came", async () => {
    const durable = await outbox();
    const l = await listen({ forwarder: forwarder(), durable });
    const body = event("evt_q");
    const headers = signed(body);
    const signedHeader = headers["stripe-signature"];
    const res = await post(l.url, body, headers, "/q?a=1");
    expect(res.status).toBe(202);
    expect(JSON.parse(res.text)).toEqual({ ok: true, queued: 1 });
    expect(l.records[0]).toMatchObject({ outcome: "queued", status: 202, seq: 1 });
    expect(durable.outbox.pending).toBe(1);
    expect(target.received).toHaveLength(0);
    await durable.journal.close();
    const reopened = await Journal.open(join(dir, "data"));
    expect(reopened.pending.size).toBe(1);
    const entry = reopened.journal.read(reopened.pending.at(0) as Parameters<Journal["read"]>[0]);
    await reopened.journal.close();
    expect(entry).toMatchObject({
      seq: 1,
      method: "POST",
      path: "/q?a=1",
      event: "payment_intent.succeeded",
      eventId: "evt_q",
      provider: "stripe",
    });
    expect(entry.headers).toContainEqual(["stripe-signature", signedHeader]);
    expect(Buffer.from(entry.body).toString()).toBe(body);
    expect(new Date(entry.receivedAt).getTime()).toBeGreaterThan(0);
  });

  it("--durable: when the outbox cannot be written, 500, so the provider sends it again", async () => {
    const durable = await outbox();
    await durable.journal.close();
    const l = await listen({ forwarder: forwarder(), durable });
    const body = event();
    const res = await post(l.url, body, signed(body));
    expect(res.status).toBe(500);
    expect(JSON.parse(res.text)).toEqual({
      error: "not stored",
      reason: "could not write the outbox: the outbox is closed",
    });
    expect(l.records[0]).toMatchObject({ outcome: "failed", status: 500 });
  });

  it("--save writes every request as a fixture, an invalid one marked so, and records the file", async () => {
    const saveDir = join(dir, "saved");
    const l = await listen({ saveDir });
    const body = event("evt_s");
    await post(l.url, body, signed(body));
    await post(l.url, body, signed(body, "whsec_wrong"));
    const files = readdirSync(saveDir).sort();
    expect(files).toHaveLength(2);
    expect(l.records.map((r) => r.savedAs && existsSync(r.savedAs))).toEqual([true, true]);
    const saved = l.records.map((r) => JSON.parse(readFileSync(r.savedAs as string, "utf8")));
    expect(saved[0]).toMatchObject({ provider: "stripe", id: "evt_s", request: { body } });
    expect(saved[0]).not.toHaveProperty("verification");
    expect(saved[1].verification).toMatchObject({ ok: false });
    expect(saved[1].verification.reason).toMatch(/signature/i);
  });

  it("a fixture that cannot be written is a warning; the request is still answered", async () => {
    const saveDir = join(dir, "a-file");
    writeFileSync(saveDir, "not a folder");
    const l = await listen({ saveDir });
    const body = event();
    expect((await post(l.url, body, signed(body))).status).toBe(200);
    expect(l.warnings[0]).toMatch(/^--save: could not write a fixture: /);
    expect(l.records[0]?.savedAs).toBeUndefined();
  });
});

describe("the receiving pipeline, --confirm and --reconcile", () => {
  it("--confirm: an event the API does not know is rejected like a bad signature; one it cannot ask about is a 503", async () => {
    const asked: (string | undefined)[] = [];
    let answer: { status: 401 | 503; reason: string } | undefined = {
      status: 401,
      reason: "not confirmed: x",
    };
    const l = await listen({
      forwarder: forwarder(),
      confirm: async (e) => {
        asked.push(e.id);
        return answer;
      },
    });
    const body = event("evt_c");
    const unknown = await post(l.url, body, signed(body));
    expect(unknown.status).toBe(401);
    expect(JSON.parse(unknown.text)).toEqual({ error: "not confirmed", reason: "not confirmed: x" });
    expect(l.records[0]).toMatchObject({
      outcome: "rejected",
      verification: { ok: false, reason: "not confirmed: x" },
    });
    answer = { status: 503, reason: "could not ask" };
    const cannot = await post(l.url, body, signed(body));
    expect(cannot.status).toBe(503);
    expect(l.records[1]).toMatchObject({
      outcome: "failed",
      error: "could not ask",
      verification: { ok: true },
    });
    answer = undefined;
    expect((await post(l.url, body, signed(body))).status).toBe(200);
    expect(asked).toEqual(["evt_c", "evt_c", "evt_c"]);
    expect(target.received).toHaveLength(1);
  });

  it("a reconciled event is not confirmed again, and the gate sends each event to the app once", async () => {
    const done: [string, boolean][] = [];
    const taken = new Set<string>();
    const gate = {
      admit: async (input: { eventId?: string; reconciled: boolean }) => {
        const key = input.eventId ?? "";
        const go = !taken.has(key);
        taken.add(key);
        return go ? { go, key } : { go };
      },
      done: (admission: { key?: string }, delivered: boolean) => done.push([admission.key ?? "", delivered]),
    };
    let confirmed = 0;
    target.respond = () => ({ status: 500 });
    const l = await listen({
      forwarder: forwarder(),
      gate: gate as unknown as PipelineOptions["gate"],
      confirm: async () => {
        confirmed++;
        return { status: 401, reason: "never" };
      },
    });
    const body = event("evt_g");
    const reply = await l.pipeline.handle({
      method: "POST",
      path: "/",
      headers: Object.entries(signed(body)),
      body: Buffer.from(body),
      receivedAt: new Date(),
      reconciled: true,
    });
    expect(reply.status).toBe(500);
    expect(confirmed).toBe(0);
    expect(done).toEqual([["evt_g", false]]);
    expect(l.records[0]).toMatchObject({ reconciled: true, outcome: "forwarded" });
    target.respond = () => ({ status: 200 });
    const again = await post(l.url, body, signed(body));
    expect(again.status).toBe(401);
    expect(confirmed).toBe(1);
  });

  it("an event the app already has (by webhook or reconciliation) is answered 200 and not sent again", async () => {
    const done: boolean[] = [];
    let go = true;
    const gate = {
      admit: async () => (go ? { go, key: "k" } : { go }),
      done: (_a: unknown, delivered: boolean) => done.push(delivered),
    };
    const l = await listen({ forwarder: forwarder(), gate: gate as unknown as PipelineOptions["gate"] });
    const body = event();
    expect((await post(l.url, body, signed(body))).status).toBe(200);
    go = false;
    const res = await post(l.url, body, signed(body));
    expect(res.status).toBe(200);
    expect(JSON.parse(res.text)).toEqual({ ok: true, duplicate: true });
    expect(l.records[1]).toMatchObject({ outcome: "already-delivered", duplicate: true });
    expect(target.received).toHaveLength(1);
    go = true;
    target.respond = () => ({ status: 300 });
    await post(l.url, body, signed(body));
    expect(done).toEqual([true, false]);
  });
});

describe("the receiving pipeline, Twilio's signed URL", () => {
  it("verifies against the public URL the sender used, through the tunnel", async () => {
    const twilio: Provider = getProvider("twilio");
    const token = "twilio-auth-token";
    const form = "Body=Hi&From=%2B14155552671&MessageSid=SM1";
    const tunnel = "https://abc.trycloudflare.com";
    const l = await listen({
      provider: twilio,
      keys: new VerifyKeys(twilio, [token]),
      tunnelUrl: () => tunnel,
    });
    const headers = {
      "content-type": "application/x-www-form-urlencoded",
      "cf-connecting-ip": "203.0.113.9",
      ...twilio.sign({
        body: Buffer.from(form),
        secret: token,
        timestamp: new Date(),
        url: `${tunnel}/sms?x=1`,
      }),
    };
    expect((await post(l.url, form, headers, "/sms?x=1")).status).toBe(200);
    const elsewhere = {
      ...headers,
      ...twilio.sign({
        body: Buffer.from(form),
        secret: token,
        timestamp: new Date(),
        url: `${tunnel}/other`,
      }),
    };
    expect((await post(l.url, form, elsewhere, "/sms?x=1")).status).toBe(401);
  });
});
