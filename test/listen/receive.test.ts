import { request as httpRequest } from "node:http";
import Stripe from "stripe";
import { describe, expect, it } from "vitest";
import { Target } from "../helpers/target.js";
import { type Listening, linesOf, listenSetup, SECRET, stripeHeader, waitForLines } from "./helpers.js";

// Non-ASCII, escaped slashes, odd whitespace, CRLF and a trailing blank line: any re-serialisation shows.
const BODY =
  '{\n  "id": "evt_1Zo\\u00eb",\t"type":"payment_intent.succeeded",  "url": "https:\\/\\/example.com\\/a\\/b",\r\n' +
  '   "name": "Zoë 日本 🎉",  "amount" : 1.50e2 , "data": {"object": {"id":"pi_1"}}   }\n\n';

interface Sent {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A raw node:http request, so hop-by-hop headers (which fetch forbids) can be sent. */
function send(url: string, body: string | Buffer, headers: Record<string, string> = {}, method = "POST") {
  return new Promise<Sent>((resolve, reject) => {
    const req = httpRequest(url, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString(),
        }),
      );
    });
    req.on("error", reject);
    req.end(body);
  });
}

const signed = (body: string, extra: Record<string, string> = {}) => ({
  "content-type": "application/json",
  "stripe-signature": stripeHeader(body),
  ...extra,
});

describe("hook listen: receive, verify, forward", () => {
  const setup = listenSetup();
  let listen: Listening;

  const stripeListen = (...args: string[]) =>
    setup.listen(["--provider", "stripe", "--secret", SECRET, ...args]);

  it("forwards the exact bytes, path, query and headers; the Stripe SDK still verifies them at the target", async () => {
    setup.target.respond = () => ({
      status: 201,
      headers: { "x-app": "yes", "content-type": "text/plain" },
      body: "made",
    });
    listen = await stripeListen("--forward-to", `${setup.target.url}/app/`);
    const reply = await send(
      `${listen.url}/stripe/hook?x=1&y=%2F`,
      Buffer.from(BODY),
      signed(BODY, {
        "x-custom": "kept",
        connection: "keep-alive, x-hop",
        "x-hop": "dropped",
        "proxy-authorization": "p",
      }),
    );
    expect(reply).toMatchObject({ status: 201, body: "made" });
    expect(reply.headers["x-app"]).toBe("yes");
    const got = setup.target.received[0];
    expect(got?.body.equals(Buffer.from(BODY))).toBe(true);
    expect(got?.url).toBe("/app/stripe/hook?x=1&y=%2F");
    expect(got?.headers["x-custom"]).toBe("kept");
    expect(got?.headers["x-hop"]).toBeUndefined();
    expect(got?.headers["proxy-authorization"]).toBeUndefined();
    expect(got?.headers.host).toBe(`127.0.0.1:${setup.target.port}`);
    const event = Stripe.webhooks.constructEvent(
      got?.body as Buffer,
      String(got?.headers["stripe-signature"]),
      SECRET,
    );
    expect(event.id).toBe("evt_1Zoë");
    const [line] = await waitForLines(listen.proc, "request", 1);
    expect(line).toMatchObject({
      outcome: "forwarded",
      status: 201,
      verified: true,
      event: "payment_intent.succeeded",
    });
  });

  it("answers 401 with a reason to tampered, unsigned and stale requests and forwards none of them", async () => {
    listen = await stripeListen("--forward-to", setup.target.url);
    const tampered = await send(listen.url, BODY.replace("1.50e2", "1.51e2"), signed(BODY));
    const missing = await send(listen.url, BODY, { "content-type": "application/json" });
    const staleHeader = stripeHeader(BODY, Math.floor(Date.now() / 1000) - 3600);
    const stale = await send(listen.url, BODY, { "stripe-signature": staleHeader });
    for (const reply of [tampered, missing, stale]) {
      expect(reply.status).toBe(401);
      expect(JSON.parse(reply.body)).toMatchObject({ error: "invalid signature" });
    }
    expect(JSON.parse(tampered.body).reason).toMatch(/no signature matches/);
    expect(JSON.parse(missing.body).reason).toMatch(/Stripe-Signature header is missing/);
    expect(JSON.parse(stale.body).reason).toMatch(/too old/);
    const lines = await waitForLines(listen.proc, "request", 3);
    expect(lines.map((l) => l.outcome)).toEqual(["rejected", "rejected", "rejected"]);
    expect(setup.target.received).toHaveLength(0);
  });

  it("honours --tolerance for old signatures", async () => {
    listen = await stripeListen("--forward-to", setup.target.url, "--tolerance", "2h");
    const staleHeader = stripeHeader(BODY, Math.floor(Date.now() / 1000) - 3600);
    const reply = await send(listen.url, BODY, { "stripe-signature": staleHeader });
    expect(reply.status).toBe(200);
  });

  it("answers 413 to a body over --max-body and still takes the next one", async () => {
    listen = await setup.listen(["--max-body", "1kb", "--forward-to", setup.target.url]);
    const big = await send(listen.url, "x".repeat(2048));
    expect(big.status).toBe(413);
    expect(JSON.parse(big.body).error).toBe("payload too large");
    // Chunked, so the size is only known while reading: still a clean 413, and hook stays up.
    const chunked = await send(listen.url, Buffer.alloc(3 * 1024 * 1024, 120), {
      "transfer-encoding": "chunked",
    });
    expect(chunked.status).toBe(413);
    const small = await send(listen.url, "y".repeat(1000));
    expect(small.status).toBe(200);
    expect(setup.target.received.map((r) => r.body.length)).toEqual([1000]);
  });

  it("answers 502 with a JSON reason when the target is down, and 504 when it is too slow", async () => {
    const down = await Target.freePort();
    listen = await setup.listen(["--forward-to", `http://127.0.0.1:${down}`]);
    const reply = await send(listen.url, "{}");
    expect(reply.status).toBe(502);
    expect(JSON.parse(reply.body)).toMatchObject({
      error: "target unreachable",
      reason: expect.stringMatching(/refused/),
    });
    // Anyone on the public tunnel gets this answer: it must not say where the app lives.
    expect(reply.body).not.toContain(String(down));
    expect(reply.body).not.toContain("127.0.0.1");
    await listen.proc.stop("SIGKILL");

    setup.target.respond = () => ({ status: 200, delayMs: 1500 });
    listen = await setup.listen(["--forward-to", setup.target.url, "--timeout", "200ms"]);
    const slow = await send(listen.url, "{}");
    expect(slow.status).toBe(504);
    expect(JSON.parse(slow.body).error).toBe("target timed out");
  });

  it("--events: matching events are forwarded, others answered 200 and shown as filtered", async () => {
    listen = await setup.listen([
      "--events",
      "payment_intent.*, charge.refunded",
      "--forward-to",
      setup.target.url,
    ]);
    for (const type of [
      "payment_intent.created",
      "customer.created",
      "charge.refunded",
      "charge.refunded.x",
    ]) {
      const reply = await send(listen.url, JSON.stringify({ id: `evt_${type}`, type }));
      expect(reply.status).toBe(200);
    }
    const lines = await waitForLines(listen.proc, "request", 4);
    expect(lines.map((l) => l.outcome)).toEqual(["forwarded", "filtered", "forwarded", "filtered"]);
    expect(setup.target.received.map((r) => JSON.parse(r.body.toString()).type)).toEqual([
      "payment_intent.created",
      "charge.refunded",
    ]);
  });

  it("without a target answers 200 {ok:true}; repeated ids are marked duplicate, across runs too", async () => {
    listen = await setup.listen([]);
    const body = JSON.stringify({ id: "evt_dup", type: "x.y" });
    expect(await send(listen.url, body)).toMatchObject({ status: 200, body: '{"ok":true}' });
    await send(listen.url, body);
    const lines = await waitForLines(listen.proc, "request", 2);
    expect(lines.map((l) => l.duplicate)).toEqual([false, true]);
    await listen.proc.stop("SIGINT");
    listen = await setup.listen([]);
    await send(listen.url, body);
    const [again] = await waitForLines(listen.proc, "request", 1);
    expect(again?.duplicate).toBe(true);
  });

  it("--json: every stdout line parses; Ctrl-C exits 130; the secret is never printed", async () => {
    listen = await stripeListen("--forward-to", setup.target.url);
    await send(listen.url, BODY, signed(BODY, { authorization: "Bearer sk_live_topsecret" }));
    await send(listen.url, BODY, {});
    await waitForLines(listen.proc, "request", 2);
    const { code } = await listen.proc.stop("SIGINT");
    expect(code).toBe(130);
    const kinds = listen.proc.jsonLines().map((l) => l.kind);
    expect(kinds[0]).toBe("ready");
    expect(kinds).toContain("request");
    expect(linesOf(listen.proc, "ready")[0]).toMatchObject({ port: listen.port, url: listen.url });
    const everything = listen.proc.stdout + listen.proc.stderr;
    expect(everything).not.toContain(SECRET);
    expect(everything).not.toContain("sk_live_topsecret");
  });

  it("Ctrl-C lets a request in flight finish before exiting 130", async () => {
    let arrived: () => void = () => {};
    const arrival = new Promise<void>((resolve) => {
      arrived = resolve;
    });
    setup.target.respond = () => {
      arrived();
      return { status: 200, body: "slow but fine", delayMs: 700 };
    };
    listen = await setup.listen(["--forward-to", setup.target.url]);
    const pending = send(listen.url, "{}");
    await arrival;
    listen.proc.child.kill("SIGINT");
    expect(await pending).toMatchObject({ status: 200, body: "slow but fine" });
    expect((await listen.proc.exited).code).toBe(130);
  });

  it("Ctrl-C does not wait the whole --timeout for a target that never answers", async () => {
    let arrived: () => void = () => {};
    const arrival = new Promise<void>((resolve) => {
      arrived = resolve;
    });
    setup.target.respond = () => {
      arrived();
      return new Promise(() => {});
    };
    // --timeout 60s is beyond the test's own 30 s limit: waiting for it would fail the test.
    listen = await setup.listen(["--forward-to", setup.target.url, "--timeout", "60s"]);
    const pending = send(listen.url, "{}").catch((error: Error) => error);
    await arrival;
    expect((await listen.proc.stop("SIGINT")).code).toBe(130);
    expect(await pending).toBeInstanceOf(Error);
  });

  it("prints one human line per request on stderr without --json", async () => {
    const { CliProcess } = await import("../helpers/cli.js");
    const proc = new CliProcess(
      ["listen", "--port", "0", "--no-tunnel", "--provider", "stripe", "--secret", SECRET],
      {
        cwd: setup.work.dir,
      },
    );
    const port = Number((await proc.waitFor(/listening on http:\/\/127\.0\.0\.1:(\d+)/))[1]);
    await send(`http://127.0.0.1:${port}/wh`, BODY, signed(BODY));
    await proc.waitFor(/POST \/wh\s+payment_intent\.succeeded evt_1Zoë\s+verified\s+200/);
    expect(await proc.stop("SIGINT")).toMatchObject({ code: 130 });
    expect(proc.stdout).toBe("");
  });

  it("refuses a port in use with exit 3, and --durable without --forward-to with exit 2", async () => {
    const { runCli } = await import("../helpers/cli.js");
    const busy = await runCli(["listen", "--no-tunnel", "--port", String(setup.target.port)], {
      cwd: setup.work.dir,
    });
    expect(busy.code).toBe(3);
    expect(busy.stderr).toMatch(/hook: listen: port \d+ on 127\.0\.0\.1 is already in use/);
    const usage = await runCli(["listen", "--no-tunnel", "--durable"], { cwd: setup.work.dir });
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/--durable needs --forward-to/);
  });
});
