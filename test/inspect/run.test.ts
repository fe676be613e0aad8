import { existsSync, readFileSync, statSync } from "node:fs";
import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CliProcess, runCli } from "../helpers/cli.js";
import { SECRET, startListen, stripeHeader, waitForLines, workDir } from "../listen/helpers.js";
import { getJson, type Inspecting, startInspecting } from "./helpers.js";

const body = (id: string) => `{"id":"${id}","object":"event","type":"charge.refunded","data":{"object":{}}}`;

function send(url: string, id: string, extra: Record<string, string> = {}) {
  const payload = body(id);
  return fetch(`${url}/hook`, {
    method: "POST",
    headers: { "stripe-signature": stripeHeader(payload), ...extra },
    body: payload,
  });
}

interface SseEvent {
  id?: string;
  event: string;
  data: unknown;
}

/** The summaries an event carries: one for `request`, an array for the page's `requests`. */
const summaries = (e: SseEvent) => (Array.isArray(e.data) ? e.data : [e.data]) as { n: number; id: string }[];

/** Reads a server-sent event stream; `waitFor(n)` resolves once n events have arrived. */
function readEvents(url: string, headers: Record<string, string> = {}) {
  const events: SseEvent[] = [];
  const waiters: (() => void)[] = [];
  const req = request(url, { headers }, (res) => {
    let text = "";
    res.setEncoding("utf8").on("data", (chunk: string) => {
      text += chunk;
      for (let end = text.indexOf("\n\n"); end >= 0; end = text.indexOf("\n\n")) {
        const block = text.slice(0, end);
        text = text.slice(end + 2);
        const fields = Object.fromEntries(
          block
            .split("\n")
            .map((line) => [line.slice(0, line.indexOf(":")), line.slice(line.indexOf(":") + 2)]),
        );
        if (fields.event)
          events.push({ id: fields.id, event: fields.event, data: JSON.parse(fields.data ?? "{}") });
      }
      for (const wake of waiters.splice(0)) wake();
    });
  });
  req.end();
  const until = (done: (seen: SseEvent[]) => boolean) =>
    new Promise<typeof events>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`gave up after ${events.length} events`)), 15_000);
      const check = () => {
        if (!done(events)) return void waiters.push(check);
        clearTimeout(timer);
        resolve(events);
      };
      check();
    });
  return {
    waitFor: (count: number) => until((seen) => seen.length >= count),
    until,
    close: () => req.destroy(),
  };
}

describe("the inspector across a run and a restart", () => {
  let hook: Inspecting | undefined;
  let work: ReturnType<typeof workDir>;
  let blocker: Server | undefined;

  beforeEach(() => {
    work = workDir();
  });

  afterEach(async () => {
    await hook?.proc.stop("SIGKILL");
    hook = undefined;
    if (blocker) await new Promise((r) => blocker?.close(r));
    blocker = undefined;
    work.remove();
  });

  const start = (...args: string[]) =>
    startInspecting(["--provider", "stripe", "--secret", SECRET, ...args], { cwd: work.dir });

  it("keeps the history on disk (0600, secrets redacted): a restart shows it as earlier, numbers go on", async () => {
    hook = await start();
    await send(hook.url, "evt_one", { authorization: "Bearer never-on-disk" });
    await send(hook.url, "evt_two");
    await waitForLines(hook.proc, "request", 2);
    expect((await hook.proc.stop("SIGINT")).code).toBe(130);

    const file = join(work.dir, ".hook", "inspect", "history.ndjson");
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, "utf8")).not.toContain("never-on-disk");

    hook = await start();
    const before = (await getJson(`${hook.inspectUrl}/api/requests`)).requests as Record<string, unknown>[];
    expect(before.map((r) => [r.n, r.id, r.earlier])).toEqual([
      [2, "evt_two", true],
      [1, "evt_one", true],
    ]);
    await send(hook.url, "evt_three");
    const [line] = await waitForLines(hook.proc, "request", 1);
    expect(line).toMatchObject({ n: 3, id: "evt_three" });
    const after = (await getJson(`${hook.inspectUrl}/api/requests?limit=1`)).requests as Record<
      string,
      unknown
    >[];
    expect(after[0]).toMatchObject({ n: 3 });
    expect(after[0]?.earlier).toBeUndefined();
    const earlier = await getJson(`${hook.inspectUrl}/api/requests/1`);
    expect(earlier).toMatchObject({ earlier: true, body: body("evt_one") });
    expect((earlier.headers as Record<string, string>).authorization).toBe("[redacted]");
  });

  it("server-sent events: a page reconnecting with Last-Event-ID gets what it missed, then live ones", async () => {
    hook = await start();
    for (const id of ["evt_1", "evt_2", "evt_3"]) await send(hook.url, id);
    await waitForLines(hook.proc, "request", 3);
    const stream = readEvents(`${hook.inspectUrl}/api/events`, { "last-event-id": "1" });
    await stream.waitFor(2);
    await send(hook.url, "evt_4");
    const events = await stream.waitFor(3);
    stream.close();
    expect(events.map((e) => [e.event, e.id, summaries(e)[0]?.id])).toEqual([
      ["request", "2", "evt_2"],
      ["request", "3", "evt_3"],
      ["request", "4", "evt_4"],
    ]);

    // The page's form: one `requests` event (an array) per batch, its id the last number in it.
    const batched = readEvents(`${hook.inspectUrl}/api/events?batch=1&after=2`);
    const [backlog] = await batched.waitFor(1);
    expect(backlog).toMatchObject({ event: "requests", id: "4" });
    expect(summaries(backlog as SseEvent).map((s) => s.n)).toEqual([3, 4]);
    await send(hook.url, "evt_5");
    await send(hook.url, "evt_6");
    const live = await batched.until((seen) => seen.some((e) => summaries(e).some((s) => s.n === 6)));
    batched.close();
    expect(live.slice(1).flatMap((e) => summaries(e).map((s) => s.n))).toEqual([5, 6]);
    for (const e of live) expect(e.id).toBe(String(summaries(e).at(-1)?.n));
  });

  it("--no-inspect serves nothing and records nothing; the ready line names the inspector otherwise", async () => {
    const off = await startListen(["--no-inspect"], { cwd: work.dir });
    const ready = off.proc.jsonLines().find((l) => l.kind === "ready");
    expect(ready?.inspectUrl).toBeUndefined();
    await send(off.url, "evt_off");
    await waitForLines(off.proc, "request", 1);
    await off.proc.stop("SIGINT");
    expect(existsSync(join(work.dir, ".hook", "inspect"))).toBe(false);

    const human = new CliProcess(["listen", "--no-tunnel", "--port", "0", "--inspect-port", "0"], {
      cwd: work.dir,
    });
    const [, url] = await human.waitFor(/inspect (http:\/\/127\.0\.0\.1:\d+)/);
    await human.stop("SIGKILL");
    expect(url).not.toBe("http://127.0.0.1:0");
    const help = await runCli(["listen", "--help"]);
    expect(help.stdout).toContain("--inspect-port");
    expect(help.stdout).toContain("--no-inspect");
  });

  it("a taken --inspect-port is exit 3; a taken default port moves on with a note", async () => {
    blocker = createServer();
    await new Promise<void>((r) => blocker?.listen(0, "127.0.0.1", () => r()));
    const taken = (blocker.address() as AddressInfo).port;
    const explicit = await runCli(["listen", "--no-tunnel", "--port", "0", "--inspect-port", String(taken)], {
      cwd: work.dir,
    });
    expect(explicit.code).toBe(3);
    expect(explicit.stderr).toContain(`inspector port ${taken} on 127.0.0.1 is already in use`);
    expect(explicit.stderr).toContain("--no-inspect");

    // The default, 4666: held here unless another test's hook holds it already; taken either way.
    const held = createServer();
    await new Promise<void>((r) => {
      held.once("error", () => r());
      held.listen(4666, "127.0.0.1", () => r());
    });
    try {
      const moved = await startListen([], { cwd: work.dir });
      const ready = moved.proc.jsonLines().find((l) => l.kind === "ready");
      await moved.proc.stop("SIGKILL");
      expect(ready?.inspectUrl).not.toBe("http://127.0.0.1:4666");
      expect(ready?.inspectNote).toBe("port 4666 was taken");
    } finally {
      await new Promise((r) => held.close(r));
    }
  });
});
