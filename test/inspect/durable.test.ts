import { describe, expect, it } from "vitest";
import { listenSetup, SECRET, stripeHeader, waitForLines } from "../listen/helpers.js";
import { getJson, type Inspecting, postJson, startInspecting } from "./helpers.js";

const payload = '{"id":"evt_durable","object":"event","type":"invoice.paid","data":{"object":{}}}';

function send(url: string) {
  return fetch(`${url}/hook`, {
    method: "POST",
    headers: { "content-type": "application/json", "stripe-signature": stripeHeader(payload) },
    body: payload,
  });
}

describe("the inspector with --durable and without a target", () => {
  const setup = listenSetup();
  let hook: Inspecting;

  it("files each durable delivery attempt under its request, and keeps them across a restart", async () => {
    let calls = 0;
    setup.target.respond = () => {
      calls += 1;
      return calls === 1 ? { status: 503, body: "down" } : { status: 200, body: "ok" };
    };
    const args = [
      "--provider",
      "stripe",
      "--secret",
      SECRET,
      "-f",
      setup.target.url,
      "--durable",
      "--retry",
      "100ms",
    ];
    hook = setup.track(await startInspecting(args, { cwd: setup.work.dir }));
    expect((await send(hook.url)).status).toBe(202);
    await waitForLines(hook.proc, "delivery", 2);
    const record = await getJson(`${hook.inspectUrl}/api/requests/1`);
    expect(record).toMatchObject({ outcome: "queued", seq: 1 });
    expect(record.deliveries).toMatchObject([
      { seq: 1, attempt: 1, ok: false, status: 503 },
      { seq: 1, attempt: 2, ok: true, status: 200 },
    ]);
    await hook.proc.stop("SIGINT");

    hook = setup.track(await startInspecting(args, { cwd: setup.work.dir }));
    const again = await getJson(`${hook.inspectUrl}/api/requests/1`);
    expect(again).toMatchObject({ earlier: true, seq: 1 });
    expect((again.deliveries as unknown[]).length).toBe(2);
  });

  it("lists the pending outbox, retries the head now and drops an entry to dead/ from the API", async () => {
    setup.target.respond = () => ({ status: 503, body: "down" });
    const args = [
      "--provider",
      "stripe",
      "--secret",
      SECRET,
      "-f",
      setup.target.url,
      "--durable",
      "--retry",
      "1h",
    ];
    hook = setup.track(await startInspecting(args, { cwd: setup.work.dir }));
    expect((await send(hook.url)).status).toBe(202);
    await waitForLines(hook.proc, "delivery", 1);
    const listed = await getJson(`${hook.inspectUrl}/api/outbox`);
    expect(listed.entries).toMatchObject([{ seq: 1, eventId: "evt_durable" }]);
    // The schedule says an hour; "retry now" does not wait for it.
    setup.target.respond = () => ({ status: 200, body: "ok" });
    expect((await postJson(`${hook.inspectUrl}/api/outbox/retry`)).status).toBe(200);
    const [, second] = await waitForLines(hook.proc, "delivery", 2);
    expect(second).toMatchObject({ seq: 1, ok: true });
    expect((await getJson(`${hook.inspectUrl}/api/outbox`)).entries).toEqual([]);

    setup.target.respond = () => ({ status: 503, body: "down" });
    expect((await send(hook.url)).status).toBe(202);
    await waitForLines(hook.proc, "delivery", 3);
    const dropped = await postJson(`${hook.inspectUrl}/api/outbox/2/drop`);
    expect(dropped.status).toBe(200);
    expect((await getJson(`${hook.inspectUrl}/api/outbox`)).entries).toEqual([]);
    expect((await postJson(`${hook.inspectUrl}/api/outbox/2/drop`)).status).toBe(404);
  });

  it("without --forward-to, a replay goes through the receiver's own pipeline, verified afresh", async () => {
    hook = setup.track(
      await startInspecting(["--provider", "stripe", "--secret", SECRET], { cwd: setup.work.dir }),
    );
    await send(hook.url);
    await waitForLines(hook.proc, "request", 1);
    const replay = await postJson(`${hook.inspectUrl}/api/requests/1/replay`);
    expect(replay.json).toEqual({ n: 2, status: 200, outcome: "accepted" });
    const [, line] = await waitForLines(hook.proc, "request", 2);
    expect(line).toMatchObject({ n: 2, replayOf: 1, verified: true, duplicate: true, path: "/hook" });
    expect(setup.target.received).toHaveLength(0);
  });
});
