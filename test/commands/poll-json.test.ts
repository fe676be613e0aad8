import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { renderReconcile } from "../../src/commands/listen-reconcile-render.js";
import type { PollSetup } from "../../src/commands/poll-options.js";
import { PollRenderer } from "../../src/commands/poll-render.js";
import type { PollEvent } from "../../src/poll/poll-event.js";
import type { Io } from "../../src/ui/io.js";
import { Output } from "../../src/ui/output.js";

/** A --json Output whose stdout lines can be read back as objects. */
function jsonOutput(): { out: Output; lines: () => Record<string, unknown>[] } {
  const stdout = new PassThrough();
  let text = "";
  stdout.on("data", (d) => {
    text += d;
  });
  const io: Io = {
    cwd: "/",
    env: {},
    stdin: new PassThrough(),
    stdout,
    stderr: new PassThrough(),
    now: () => new Date(0),
    interrupted: new Promise(() => {}),
  };
  const lines = () =>
    text
      .split("\n")
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  return { out: new Output(io, { json: true }), lines };
}

const EVENTS: PollEvent[] = [
  {
    kind: "poll",
    method: "GET",
    url: "https://api.stripe.com/v1/events?limit=100",
    status: 200,
    count: 3,
    ms: 41,
  },
  { kind: "wait", ms: 2000, reason: "rate limited (429)" },
  { kind: "skip", id: "evt_1", reason: "already delivered" },
  { kind: "skip", id: "evt_2", type: "charge.refunded", reason: "filtered by --events" },
  { kind: "warning", message: "the state file was rewritten" },
];

describe("--json of poll's events", () => {
  it("hook poll and hook listen --reconcile print the same objects for the events both show", () => {
    const poll = jsonOutput();
    const reconcile = jsonOutput();
    const renderer = new PollRenderer(poll.out, { once: true } as PollSetup);
    for (const event of EVENTS) {
      renderer.event(event);
      renderReconcile(reconcile.out, event);
    }
    expect(reconcile.lines()).toEqual(poll.lines());
    expect(poll.lines().map((l) => l.kind)).toEqual(["poll", "wait", "skip", "skip", "warning"]);
    expect(poll.lines()[2]).toMatchObject({ id: "evt_1", type: null, reason: "already delivered" });
  });
});
