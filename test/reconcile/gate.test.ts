import { rmSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { PollState } from "../../src/poll/state.js";
import { ReceiveGate } from "../../src/reconcile/gate.js";
import { tempDir } from "../poll/helpers/run-pass.js";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function gateFor(forwardDuplicates = false) {
  const dir = tempDir();
  dirs.push(dir);
  const path = join(dir, "stripe-events.json");
  const state = PollState.load(path, "stripe", "events");
  return { gate: new ReceiveGate(state, "stripe", forwardDuplicates), state, path };
}

const input = (eventId: string, reconciled = false) => ({
  eventId,
  headers: new Headers(),
  body: new Uint8Array(),
  reconciled,
});

describe("the reconcile gate", () => {
  it("lets an event through once; a later copy from either path is a duplicate", async () => {
    const { gate } = gateFor();
    const first = await gate.admit(input("evt_1", true));
    expect(first.go).toBe(true);
    gate.done(first, true);
    expect((await gate.admit(input("evt_1"))).go).toBe(false);
    expect((await gate.admit(input("evt_1", true))).go).toBe(false);
  });

  it("a copy that arrives while another is in flight waits for its answer", async () => {
    const { gate } = gateFor();
    const webhook = await gate.admit(input("evt_2"));
    let settled: boolean | undefined;
    const reconciled = gate.admit(input("evt_2", true)).then((a) => {
      settled = a.go;
      return a;
    });
    await new Promise((r) => setImmediate(r));
    expect(settled).toBeUndefined();
    // The app refused the webhook: the reconciled copy must go, not count as a duplicate.
    gate.done(webhook, false);
    const admission = await reconciled;
    expect(admission.go).toBe(true);
    gate.done(admission, true);
    expect((await gate.admit(input("evt_2"))).go).toBe(false);
  });

  it("--forward-duplicates lets a webhook through again, never a reconciled event", async () => {
    const { gate } = gateFor(true);
    gate.done(await gate.admit(input("evt_3")), true);
    expect((await gate.admit(input("evt_3"))).go).toBe(true);
    expect((await gate.admit(input("evt_3", true))).go).toBe(false);
  });

  it("remembers across a restart through poll's state journal (a kill -9 included)", async () => {
    const { gate, path } = gateFor();
    gate.done(await gate.admit(input("evt_4")), true);
    // No save(): only the journal line is on disk, as after a kill -9.
    const again = new ReceiveGate(PollState.load(path, "stripe", "events"), "stripe", false);
    expect((await again.admit(input("evt_4"))).go).toBe(false);
  });
});
