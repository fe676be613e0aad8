import { readdirSync, readFileSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { join } from "node:path";
import twilio from "twilio";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { getProvider } from "../../src/providers/index.js";
import { readFixtureFile } from "../../src/store/fixture-reader.js";
import { fixtureBaseName } from "../../src/store/fixture-writer.js";
import { Target } from "../helpers/target.js";
import { type Listening, SECRET, startListen, stripeHeader, waitForLines, workDir } from "./helpers.js";

function send(url: string, body: string | Buffer, headers: Record<string, string> = {}, method = "POST") {
  return new Promise<{ status: number; body: string; type?: string }>((resolve, reject) => {
    const req = httpRequest(url, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () =>
        resolve({
          status: res.statusCode ?? 0,
          body: Buffer.concat(chunks).toString(),
          type: res.headers["content-type"],
        }),
      );
    });
    req.on("error", reject);
    req.end(body);
  });
}

describe("hook listen --save", () => {
  let work: ReturnType<typeof workDir>;
  let listen: Listening | undefined;

  beforeEach(() => {
    work = workDir();
  });
  afterEach(async () => {
    await listen?.proc.stop("SIGKILL");
    listen = undefined;
    work.remove();
  });

  it("writes one fixture per request: exact body, secrets redacted, invalid ones marked, never overwritten", async () => {
    const dir = join(work.dir, "saved");
    listen = await startListen(["--provider", "stripe", "--secret", SECRET, "--save", "saved"], {
      cwd: work.dir,
    });
    const body = '{"id":"evt_1234567890abcdef","type":"payment_intent.succeeded", "x":"é\\/"}\n';
    const headers = {
      "stripe-signature": stripeHeader(body),
      authorization: "Bearer s3cr3t",
      cookie: "sid=s3cr3t",
    };
    await send(`${listen.url}/wh?a=1`, body, headers);
    await send(`${listen.url}/wh?a=1`, body, headers);
    await send(`${listen.url}/wh`, body.replace("é", "e"), headers);
    const lines = await waitForLines(listen.proc, "request", 3);
    const files = readdirSync(dir).sort();
    expect(files).toEqual([
      "stripe-payment_intent.succeeded-90abcdef-2.json",
      "stripe-payment_intent.succeeded-90abcdef-3.json",
      "stripe-payment_intent.succeeded-90abcdef.json",
    ]);
    expect(lines.map((l) => l.savedAs)).toEqual([
      join(dir, files[2] as string),
      join(dir, files[0] as string),
      join(dir, files[1] as string),
    ]);
    const first = JSON.parse(readFileSync(join(dir, files[2] as string), "utf8"));
    expect(first).toMatchObject({
      hook: 1,
      provider: "stripe",
      event: "payment_intent.succeeded",
      id: "evt_1234567890abcdef",
      request: { method: "POST", path: "/wh?a=1", body },
    });
    expect(first.request.headers.authorization).toBe("[redacted]");
    expect(first.request.headers.cookie).toBe("[redacted]");
    expect(new Date(first.receivedAt).toISOString()).toBe(first.receivedAt);
    expect(first.verification).toBeUndefined();
    const invalid = JSON.parse(readFileSync(join(dir, files[1] as string), "utf8"));
    expect(invalid.verification).toEqual({ ok: false, reason: "no signature matches" });
    expect(readFileSync(join(dir, files[2] as string), "utf8")).not.toContain("s3cr3t");
    // The replay engineer's reader takes it back byte for byte.
    const loaded = readFixtureFile(join(dir, files[2] as string), work.dir);
    expect("body" in loaded && Buffer.from(loaded.body).equals(Buffer.from(body))).toBe(true);
  });

  it("keeps a body that is not UTF-8 as bodyBase64, and makes odd event names safe file names", async () => {
    const dir = join(work.dir, "raw");
    listen = await startListen(["--save", dir], { cwd: work.dir });
    const bytes = Buffer.from([0xff, 0xfe, 0x00, 0x41, 0xc3]);
    await send(listen.url, bytes, { "content-type": "application/octet-stream" });
    await send(listen.url, JSON.stringify({ id: "../../etc/passwd", type: "orders/create" }));
    await waitForLines(listen.proc, "request", 2);
    const files = readdirSync(dir).sort();
    expect(files).toHaveLength(2);
    expect(files[1]).toMatch(/^none-unknown-[0-9a-f]{8}\.json$/);
    expect(files[0]).toBe("none-orders_create-c_passwd.json");
    const raw = JSON.parse(readFileSync(join(dir, files[1] as string), "utf8"));
    expect(raw.request.body).toBeUndefined();
    expect(Buffer.from(raw.request.bodyBase64, "base64").equals(bytes)).toBe(true);
  });

  it("names without an id use a hash of the body", () => {
    const base = { provider: "github", method: "POST", path: "/", headers: [], receivedAt: new Date() };
    const a = fixtureBaseName({ ...base, event: "push", body: Buffer.from("a") });
    expect(a).toMatch(/^github-push-[0-9a-f]{8}$/);
    expect(fixtureBaseName({ ...base, event: "push", body: Buffer.from("b") })).not.toBe(a);
  });
});

describe("hook listen: provider handshakes without --forward-to", () => {
  let work: ReturnType<typeof workDir>;
  let listen: Listening | undefined;
  let target: Target | undefined;

  beforeEach(() => {
    work = workDir();
  });
  afterEach(async () => {
    await listen?.proc.stop("SIGKILL");
    listen = undefined;
    await target?.close();
    target = undefined;
    work.remove();
  });

  it("Slack url_verification: answers the challenge once the signature verifies, 401 when it does not", async () => {
    const secret = "8f742231b10e8888abcd99yyyzzz85a5";
    listen = await startListen(["--provider", "slack", "--secret", secret], { cwd: work.dir });
    const body = JSON.stringify({ token: "t", challenge: "3eZbrw1aBm2rZg", type: "url_verification" });
    const headers = getProvider("slack").sign({ body: Buffer.from(body), secret, timestamp: new Date() });
    const ok = await send(listen.url, body, { "content-type": "application/json", ...headers });
    expect(ok).toMatchObject({ status: 200, body: "3eZbrw1aBm2rZg" });
    const forged = await send(listen.url, body, { "content-type": "application/json" });
    expect(forged.status).toBe(401);
    const lines = await waitForLines(listen.proc, "request", 2);
    expect(lines.map((l) => l.outcome)).toEqual(["handshake", "rejected"]);
  });

  it("with --durable and --events, a signed handshake still goes to the app live, so its answer gets back", async () => {
    const secret = "8f742231b10e8888abcd99yyyzzz85a5";
    target = await new Target().start();
    target.respond = (r) => ({ status: 200, body: JSON.parse(r.body.toString()).challenge });
    const args = [
      "--provider",
      "slack",
      "--secret",
      secret,
      "--forward-to",
      target.url,
      "--durable",
      "--events",
      "message",
    ];
    listen = await startListen(args, { cwd: work.dir });
    const body = JSON.stringify({ token: "t", challenge: "from-the-app-please", type: "url_verification" });
    const headers = getProvider("slack").sign({ body: Buffer.from(body), secret, timestamp: new Date() });
    const reply = await send(listen.url, body, { "content-type": "application/json", ...headers });
    expect(reply).toMatchObject({ status: 200, body: "from-the-app-please" });
    const [line] = await waitForLines(listen.proc, "request", 1);
    expect(line?.outcome).toBe("forwarded");
  });

  it("Twitch webhook_callback_verification: answers the challenge as text/plain", async () => {
    const secret = "keepItSecretKeepItSafe";
    listen = await startListen(["--provider", "twitch", "--secret", secret], { cwd: work.dir });
    const body = JSON.stringify({
      challenge: "pogchamp-kappa-360noscope-vohiyo",
      subscription: { type: "channel.follow" },
    });
    const headers = getProvider("twitch").sign({ body: Buffer.from(body), secret, timestamp: new Date() });
    headers["Twitch-Eventsub-Message-Type"] = "webhook_callback_verification";
    const reply = await send(listen.url, body, { "content-type": "application/json", ...headers });
    expect(reply).toMatchObject({ status: 200, body: "pogchamp-kappa-360noscope-vohiyo" });
    expect(reply.type).toMatch(/text\/plain/);
  });

  it("WebSub: answers the hub's GET with hub.challenge; with --forward-to the app answers instead", async () => {
    listen = await startListen(["--provider", "websub", "--secret", "hubsecret"], { cwd: work.dir });
    const query =
      "?hub.mode=subscribe&hub.topic=https%3A%2F%2Fwww.youtube.com%2Fxml%2Ffeeds&hub.challenge=abc123&hub.lease_seconds=864000";
    expect(await send(`${listen.url}/yt${query}`, "", {}, "GET")).toMatchObject({
      status: 200,
      body: "abc123",
    });
    await listen.proc.stop("SIGKILL");
    target = await new Target().start();
    target.respond = () => ({ status: 200, body: "from-app" });
    listen = await startListen(
      ["--provider", "websub", "--secret", "hubsecret", "--forward-to", target.url],
      {
        cwd: work.dir,
      },
    );
    expect(await send(`${listen.url}/yt${query}`, "", {}, "GET")).toMatchObject({ body: "from-app" });
  });
});

describe("hook listen: Twilio signs the public URL", () => {
  let work: ReturnType<typeof workDir>;
  let listen: Listening | undefined;
  beforeEach(() => {
    work = workDir();
  });
  afterEach(async () => {
    await listen?.proc.stop("SIGKILL");
    work.remove();
  });

  it("verifies with the URL the sender used: the Host cloudflared passes on, or X-Forwarded-Host/Proto", async () => {
    const token = "12345abcdef";
    listen = await startListen(["--provider", "twilio", "--secret", token], { cwd: work.dir });
    const params = { From: "+14158675309", Body: "Hi there é" };
    const body = new URLSearchParams(params).toString();
    const form = { "content-type": "application/x-www-form-urlencoded" };
    const viaTunnel = twilio.getExpectedTwilioSignature(
      token,
      "https://quiet-orbit.trycloudflare.com/sms?x=1",
      params,
    );
    const tunnelReply = await send(`${listen.url}/sms?x=1`, body, {
      ...form,
      host: "quiet-orbit.trycloudflare.com",
      "cf-connecting-ip": "203.0.113.9",
      "x-twilio-signature": viaTunnel,
    });
    expect(tunnelReply.status).toBe(200);
    const viaProxy = twilio.getExpectedTwilioSignature(token, "https://hooks.example.com/sms", params);
    const proxyReply = await send(`${listen.url}/sms`, body, {
      ...form,
      "x-forwarded-host": "hooks.example.com",
      "x-forwarded-proto": "https",
      "x-twilio-signature": viaProxy,
    });
    expect(proxyReply.status).toBe(200);
    const wrongUrl = await send(`${listen.url}/sms`, body, { ...form, "x-twilio-signature": viaProxy });
    expect(wrongUrl.status).toBe(401);
  });
});
