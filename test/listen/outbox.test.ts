import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { Forwarder } from "../../src/deliver/forward.js";
import { Journal } from "../../src/deliver/journal.js";
import { Outbox } from "../../src/deliver/outbox.js";
import { signer } from "../../src/deliver/resign.js";
import { localSend } from "../../src/deliver/sender.js";
import type { DeliveryRecord } from "../../src/events/types.js";
import { Target } from "../helpers/target.js";

describe("the outbox worker", () => {
  const cleanup: (() => Promise<unknown> | unknown)[] = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });

  it("keeps to the retry schedule while new requests arrive behind a failing head", async () => {
    const dir = mkdtempSync(join(tmpdir(), "hook-outbox-"));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    const { journal } = await Journal.open(dir);
    cleanup.push(() => journal.close());
    const forwarder = new Forwarder(new URL(`http://127.0.0.1:${await Target.freePort()}`), 2_000, {});
    cleanup.push(() => forwarder.close());
    const records: DeliveryRecord[] = [];
    const outbox = new Outbox({
      journal,
      send: localSend(forwarder, signer(undefined, undefined)),
      schedule: [60_000],
      giveUpAfterMs: 86_400_000,
      deadDir: join(dir, "dead"),
      signer: signer(undefined, undefined),
      emit: (e) => {
        if (e.kind === "delivery") records.push(e.record);
      },
      initial: [],
    });
    cleanup.push(() => outbox.stop(500));
    outbox.start();
    for (let n = 0; n < 8; n += 1) {
      const entry = await journal.accept({
        receivedAt: new Date().toISOString(),
        method: "POST",
        path: `/${n}`,
        headers: [],
        body: Buffer.from(String(n)),
      });
      outbox.enqueue(entry);
      await new Promise((r) => setTimeout(r, 20));
    }
    await new Promise((r) => setTimeout(r, 200));
    // One attempt at the head, then the schedule's 60 s wait: arrivals must not cut the wait short.
    expect(records).toHaveLength(1);
    expect(records[0]?.retryInMs).toBe(60_000);
    expect(outbox.pending).toBe(8);
  });
});
