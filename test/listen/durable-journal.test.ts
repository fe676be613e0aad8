import { appendFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Journal } from "../../src/deliver/journal.js";
import { type Listening, listenSetup, waitForLines } from "./helpers.js";

describe("hook listen --durable over a damaged journal", () => {
  const setup = listenSetup();
  let listening: Listening;

  it("skips lines that are JSON but not records (null, [], {}, 42, a body-less accept) with a warning, delivers the rest", async () => {
    const dataDir = join(setup.work.dir, ".hook");
    const { journal } = await Journal.open(dataDir);
    const entry = (id: string) => ({
      receivedAt: new Date().toISOString(),
      method: "POST",
      path: "/",
      headers: [] as [string, string][],
      body: Buffer.from(JSON.stringify({ id })),
    });
    await journal.accept(entry("evt_before"));
    await journal.close();
    appendFileSync(
      join(dataDir, "outbox.ndjson"),
      'null\n[]\n{}\n42\n{"t":"a","seq":9}\n{"t":"a","seq":10,"me',
    );
    listening = await setup.listen(["--durable", "--forward-to", setup.target.url]);
    const [warning] = await waitForLines(listening.proc, "warning", 1);
    expect(warning?.message).toMatch(/^6 unreadable line\(s\) in .*outbox\.ndjson were skipped$/);
    expect(listening.proc.jsonLines().find((l) => l.kind === "ready")?.pending).toBe(1);
    await waitForLines(listening.proc, "delivery", 1, 15_000, (d) => d.ok === true);
    const next = await fetch(listening.url, { method: "POST", body: '{"id":"evt_after"}' });
    expect(next.status).toBe(202);
    await setup.target.waitFor(2);
    expect(setup.target.received.map((r) => JSON.parse(r.body.toString()).id)).toEqual([
      "evt_before",
      "evt_after",
    ]);
  });
});
