import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Listening, workDir } from "../listen/helpers.js";
import { CASES } from "./helpers/cases.js";
import { FakeHub } from "./helpers/fake-providers.js";
import { listenRegistering, registerLines } from "./helpers/run.js";

describe("hook listen --register websub: the lease", () => {
  let work: ReturnType<typeof workDir>;
  let hub: FakeHub;
  let listen: Listening | undefined;
  beforeEach(async () => {
    work = workDir();
    hub = await new FakeHub().start();
  });
  afterEach(async () => {
    await listen?.proc.stop("SIGKILL");
    await hub.close();
    work.remove();
  });

  it("is renewed before it runs out, by subscribing the same callback again", async () => {
    const websub = CASES.find((c) => c.name === "websub") as (typeof CASES)[number];
    listen = await listenRegistering(websub, hub, work.dir, { args: ["--lease", "2s"] });
    const [registered] = await registerLines(listen.proc, "registered");
    const [renewed] = await registerLines(listen.proc, "updated");
    expect(renewed).toMatchObject({ url: registered?.url, note: "lease renewed" });
    const subscribes = hub.calls.filter((c) => c.form.get("hub.mode") === "subscribe");
    expect(
      subscribes.slice(0, 2).map((c) => [c.form.get("hub.callback"), c.form.get("hub.lease_seconds")]),
    ).toEqual([
      [registered?.url, "2"],
      [registered?.url, "2"],
    ]);
    expect((await listen.proc.stop("SIGINT")).code).toBe(130);
    expect(hub.live.size).toBe(0);
  });
});
