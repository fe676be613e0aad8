import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { Target } from "../helpers/target.js";
import { listenSetup, waitForLines } from "../listen/helpers.js";

const post = async (url: string, id: string) => {
  const response = await fetch(url, { method: "POST", body: JSON.stringify({ id, type: "order.paid" }) });
  await response.arrayBuffer();
  return response.status;
};

const jsonLines = (stdout: string) =>
  stdout
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>);

describe("hook outbox", () => {
  const setup = listenSetup();
  let down: number;
  beforeEach(async () => {
    down = await Target.freePort();
  });

  const listen = (to: string, ...extra: string[]) =>
    setup.listen(["--durable", "--forward-to", to, ...extra]);
  const outbox = (...args: string[]) => runCli(["outbox", ...args], { cwd: setup.work.dir });

  /** Three events queued by a listener whose target is down, then the listener is gone (kill -9). */
  const queueThree = async () => {
    const l = await listen(`http://127.0.0.1:${down}`, "--retry", "1h");
    for (const id of ["evt_a", "evt_b", "evt_c"]) expect(await post(l.url, id)).toBe(202);
    await waitForLines(l.proc, "delivery", 1);
    await l.proc.stop("SIGKILL");
  };

  it("beside no listener: lists from the journal, drops to dead/ as a fixture hook replay sends", async () => {
    await queueThree();
    const list = await outbox("list", "--json");
    expect(list.code).toBe(0);
    const entries = jsonLines(list.stdout);
    expect(entries.map((e) => [e.kind, e.seq, e.event, e.eventId, e.attempts])).toEqual([
      ["entry", 1, "order.paid", "evt_a", 1],
      ["entry", 2, "order.paid", "evt_b", 0],
      ["entry", 3, "order.paid", "evt_c", 0],
    ]);
    expect(entries[0]?.lastError).toMatch(/connection refused/);
    expect(typeof entries[0]?.ageMs).toBe("number");
    const human = await outbox("list");
    expect(human.stderr).toMatch(
      /#1 {2}order\.paid {2}evt_a {2}attempts 1, age .*last error: connection refused/m,
    );
    expect(human.stderr).toMatch(/3 pending, from the journal \(no hook listen is running\)/);

    const dropped = await outbox("drop", "evt_b", "--json");
    expect(dropped.code).toBe(0);
    const line = jsonLines(dropped.stdout).find((l) => l.kind === "dropped");
    const file = String(line?.file);
    expect(file.startsWith(join(setup.work.dir, ".hook", "dead"))).toBe(true);
    expect(JSON.parse(readFileSync(file, "utf8")).request.body).toBe('{"id":"evt_b","type":"order.paid"}');
    expect((await outbox("drop", "3")).code).toBe(0);
    expect(jsonLines((await outbox("list", "--json")).stdout).map((e) => e.seq)).toEqual([1]);
    expect(readdirSync(join(setup.work.dir, ".hook", "dead"))).toHaveLength(2);

    const replay = await runCli(["replay", file, "--to", setup.target.url], { cwd: setup.work.dir });
    expect(replay.code).toBe(0);
    expect(setup.target.received.map((r) => r.body.toString())).toEqual([
      '{"id":"evt_b","type":"order.paid"}',
    ]);

    const missing = await outbox("drop", "evt_nope");
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("hook: outbox: no pending entry evt_nope");
  });

  it("beside no listener: retry delivers the head to --forward-to now (exit 1 when it fails), and needs it", async () => {
    await queueThree();
    const bare = await outbox("retry");
    expect(bare.code).toBe(2);
    expect(bare.stderr).toMatch(/hint: pass --forward-to URL/);
    const failing = await outbox("retry", "--forward-to", `http://127.0.0.1:${down}`);
    expect(failing.code).toBe(1);
    expect(jsonLines((await outbox("list", "--json")).stdout)[0]).toMatchObject({ seq: 1, attempts: 2 });
    const ok = await outbox("retry", "--forward-to", setup.target.url, "--json");
    expect(ok.code).toBe(0);
    expect(jsonLines(ok.stdout).find((l) => l.kind === "delivery")).toMatchObject({ seq: 1, ok: true });
    expect(setup.target.received.map((r) => JSON.parse(r.body.toString()).id)).toEqual(["evt_a"]);
    expect(jsonLines((await outbox("list", "--json")).stdout).map((e) => e.seq)).toEqual([2, 3]);
  });

  it("while hook listen runs: list, retry and drop go through it, without waiting out the schedule", async () => {
    let healthy = false;
    setup.target.respond = () => (healthy ? { status: 200 } : { status: 503 });
    const l = await listen(setup.target.url, "--retry", "1h");
    for (const id of ["evt_a", "evt_b", "evt_c"]) await post(l.url, id);
    await waitForLines(l.proc, "delivery", 1);

    const list = await outbox("list", "--json");
    expect(list.code).toBe(0);
    expect(jsonLines(list.stdout).map((e) => [e.seq, e.attempts, e.lastError])).toEqual([
      [1, 1, "target answered 503"],
      [2, 0, undefined],
      [3, 0, undefined],
    ]);
    expect((await outbox("list")).stderr).toContain("3 pending, from the running hook listen");

    const retry = await outbox("retry");
    expect(retry.code).toBe(0);
    // The schedule says an hour; the second attempt comes now.
    await waitForLines(l.proc, "delivery", 2);

    const drop = await outbox("drop", "1", "--json");
    expect(drop.code).toBe(0);
    const dead = await waitForLines(l.proc, "dead", 1);
    expect(dead[0]).toMatchObject({ seq: 1, eventId: "evt_a", reason: "dropped by the user", pending: 2 });
    expect(existsSync(String(dead[0]?.file))).toBe(true);

    healthy = true;
    await outbox("retry");
    await waitForLines(l.proc, "delivery", 2, 15_000, (d) => d.ok === true);
    expect(setup.target.received.slice(-2).map((r) => JSON.parse(r.body.toString()).id)).toEqual([
      "evt_b",
      "evt_c",
    ]);
    expect(jsonLines((await outbox("list", "--json")).stdout)).toEqual([]);
  });

  it("an entry failing past --give-up-after goes to dead/ with a loud line, and the rest flows", async () => {
    setup.target.respond = (r) => (r.body.toString().includes("poison") ? { status: 422 } : { status: 200 });
    const l = await listen(setup.target.url, "--retry", "100ms", "--give-up-after", "300ms");
    await post(l.url, "evt_poison");
    await post(l.url, "evt_fine");
    const [dead] = await waitForLines(l.proc, "dead", 1);
    expect(dead).toMatchObject({ seq: 1, eventId: "evt_poison" });
    expect(String(dead?.reason)).toMatch(/^still failing after .* \(--give-up-after\)$/);
    await waitForLines(l.proc, "delivery", 1, 15_000, (d) => d.ok === true && d.eventId === "evt_fine");
    await l.proc.stop("SIGINT");
    const _human = await setup.listen(["--durable", "--forward-to", setup.target.url]);
    expect(jsonLines((await outbox("list", "--json")).stdout)).toEqual([]);
    expect(readdirSync(join(setup.work.dir, ".hook", "dead"))).toEqual([
      expect.stringMatching(/^none-order\.paid-.*\.json$/),
    ]);
  });

  it("says what is wrong with its arguments", async () => {
    expect((await outbox("purge")).code).toBe(2);
    const drop = await outbox("drop");
    expect(drop.code).toBe(2);
    expect(drop.stderr).toMatch(/hint: give its sequence number or event id/);
    expect((await outbox("list", "--json")).stdout).toBe("");
  });
});
