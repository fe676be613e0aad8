import { spawn, spawnSync } from "node:child_process";
import { once } from "node:events";
import { existsSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { HookError } from "../../src/errors.js";
import { acquirePollLock } from "../../src/poll/lock.js";
import { DELIVERED_LIMIT, PollState } from "../../src/poll/state.js";
import { redactUrl } from "../../src/redact.js";
import { procStat } from "../../src/store/lock.js";
import { tempDir } from "./helpers/run-pass.js";

describe("poll state", () => {
  it("a crash before the state file is rewritten loses nothing: the journal is replayed", () => {
    const path = join(tempDir(), "s.json");
    const first = PollState.load(path, "stripe", "events");
    first.record({ id: "evt_1", cursor: "evt_1" });
    first.save();
    first.record({ id: "evt_2", cursor: "evt_2" });
    first.record({ id: "evt_3", cursor: "evt_3" });
    // No save: as if killed here.
    const again = PollState.load(path, "stripe", "events");
    expect(again.data.cursor).toBe("evt_3");
    expect(again.seen("evt_2")).toBe(true);
    expect(again.existed).toBe(true);
    again.save();
    expect(existsSync(`${path}.journal`)).toBe(false);
    expect(JSON.parse(readFileSync(path, "utf8")).delivered).toEqual(["evt_1", "evt_2", "evt_3"]);
  });

  it("tolerates a torn last journal line but not damage before it", () => {
    const path = join(tempDir(), "s.json");
    writeFileSync(`${path}.journal`, '{"id":"a","cursor":"a"}\n{"id":"b","cur');
    expect(PollState.load(path, "stripe", "events").data.cursor).toBe("a");
    writeFileSync(`${path}.journal`, 'garbage\n{"id":"b","cursor":"b"}\n');
    let error: HookError | undefined;
    try {
      PollState.load(path, "stripe", "events");
    } catch (e) {
      error = e as HookError;
    }
    expect(error?.message).toBe(`poll: ${path}.journal line 1 is not valid JSON`);
    expect(error?.exitCode).toBe(2);
    expect(error?.hint).toBe(
      "the journal records deliveries since the state file was written; inspect it before deleting",
    );
  });

  it("after a torn journal, new entries never glue onto it: a second crash loses nothing", () => {
    const path = join(tempDir(), "s.json");
    writeFileSync(`${path}.journal`, '{"id":"a","cursor":"a"}\n{"id":"b","cur');
    const second = PollState.load(path, "stripe", "events");
    second.record({ id: "c", cursor: "c" });
    // Killed again before saving: the next start must read both runs' entries.
    const third = PollState.load(path, "stripe", "events");
    expect(third.data.cursor).toBe("c");
    expect(third.seen("a")).toBe(true);
    expect(third.seen("c")).toBe(true);
  });

  it("remembers at most the last 10,000 delivered ids", () => {
    const path = join(tempDir(), "s.json");
    const state = PollState.load(path, "http", "x");
    for (let i = 0; i <= DELIVERED_LIMIT; i += 1) state.record({ id: `id${i}` });
    state.save();
    const reloaded = PollState.load(path, "http", "x");
    expect(reloaded.seen("id0")).toBe(false);
    expect(reloaded.seen("id1")).toBe(true);
    expect(reloaded.seen(`id${DELIVERED_LIMIT}`)).toBe(true);
  });

  it("refuses a state file of another version, naming it", () => {
    const path = join(tempDir(), "s.json");
    writeFileSync(path, JSON.stringify({ version: 9, provider: "stripe", source: "events", delivered: [] }));
    const error = (() => {
      try {
        PollState.load(path, "stripe", "events");
      } catch (e) {
        return e as HookError;
      }
    })();
    expect(error?.exitCode).toBe(2);
    expect(error?.message).toContain(path);
    expect(error?.message).toMatch(/version 9/);
  });
});

describe("poll state files", () => {
  const loadError = (path: string, provider = "stripe", source = "events") => {
    try {
      PollState.load(path, provider, source);
    } catch (e) {
      return e as HookError;
    }
    return undefined;
  };
  const write = (data: unknown) => {
    const path = join(tempDir(), "s.json");
    writeFileSync(path, typeof data === "string" ? data : JSON.stringify(data));
    return path;
  };
  const good = { version: 1, provider: "stripe", source: "events", delivered: [] };

  it("a state file that is not JSON is exit 2 naming it, and is left as it was", () => {
    const path = write("{ not json");
    const error = loadError(path);
    expect(error?.exitCode).toBe(2);
    expect(error?.message).toMatch(
      new RegExp(`^poll: state file ${path} is unreadable or not JSON \\(.+\\)$`),
    );
    expect(error?.hint).toMatch(/^it was not reset/);
    expect(readFileSync(path, "utf8")).toBe("{ not json");
  });

  it("JSON that is not a state file says what it found", () => {
    const nothing = loadError(write("null"));
    expect(nothing?.message).toMatch(/has version undefined, expected 1$/);
    expect(nothing?.hint).toBe("it was written by another version of hook, or is not a hook poll state file");
    expect(loadError(write("7"))?.message).toMatch(/has version undefined, expected 1$/);
    expect(loadError(write("[]"))?.message).toMatch(/has version undefined, expected 1$/);
    expect(loadError(write({ ...good, version: "1" }))?.message).toMatch(/has version 1, expected 1$/);
    const damaged = loadError(write({ ...good, delivered: "e1" }));
    expect(damaged?.message).toMatch(/has no delivered list$/);
    expect(damaged?.hint).toBe("it is damaged; fix or remove it");
    expect(loadError(write({ ...good, delivered: undefined }))?.exitCode).toBe(2);
  });

  it("a state file of another provider or source is refused, naming both", () => {
    const path = write(good);
    expect(loadError(path, "github", "events")?.message).toBe(
      `poll: state file ${path} belongs to stripe events, not github events`,
    );
    expect(loadError(path, "stripe", "repo-octo-hello")?.message).toBe(
      `poll: state file ${path} belongs to stripe events, not stripe repo-octo-hello`,
    );
    expect(loadError(path, "stripe", "repo-octo-hello")?.hint).toBe(
      "pass a different --state for each provider and source",
    );
    expect(PollState.load(path, "stripe", "events").existed).toBe(true);
  });

  it("writes the state file and journal readable only by their owner", () => {
    const path = join(tempDir(), "s.json");
    const state = PollState.load(path, "stripe", "events");
    state.record({ id: "e1", cursor: "e1" });
    expect(statSync(`${path}.journal`).mode & 0o777).toBe(0o600);
    expect(state.pendingJournal).toBe(1);
    state.save();
    expect(state.pendingJournal).toBe(0);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(existsSync(`${path}.journal`)).toBe(false);
  });

  it("a journal left without a state file counts as an earlier run, and is folded in at load", () => {
    const path = join(tempDir(), "s.json");
    writeFileSync(
      `${path}.journal`,
      '\n{"id":"a","cursor":"a"}\n  \n{"order":"A-1","status":"wait_accept"}\n',
    );
    const state = PollState.load(path, "liqpay", "orders");
    expect(state.existed).toBe(true);
    expect(state.pendingJournal).toBe(0);
    expect(existsSync(`${path}.journal`)).toBe(false);
    expect(JSON.parse(readFileSync(path, "utf8"))).toMatchObject({
      provider: "liqpay",
      source: "orders",
      cursor: "a",
      delivered: ["a"],
      orders: { "A-1": "wait_accept" },
    });
  });

  it("a cursor ends the first run's backfill window; an order is kept only with its status", () => {
    const path = join(tempDir(), "s.json");
    const state = PollState.load(path, "liqpay", "orders");
    state.data.since = "all";
    state.record({ order: "A-1" });
    state.record({ status: "success" });
    expect(state.data.since).toBe("all");
    expect(state.data.orders).toBeUndefined();
    state.record({ order: "A-1", status: "wait_accept" });
    state.record({ order: "B-2", status: "success" });
    state.record({ order: "A-1", status: "success" });
    expect(state.data.orders).toEqual({ "A-1": "success", "B-2": "success" });
    state.record({ cursor: "c1" });
    expect(state.data.since).toBeUndefined();
    expect(state.seen("c1")).toBe(false);
  });

  it("an id delivered again counts as recent, so it outlives the 10,000 limit", () => {
    const path = join(tempDir(), "s.json");
    const state = PollState.load(path, "http", "x");
    state.record({ id: "early" });
    for (let i = 1; i < DELIVERED_LIMIT; i += 1) state.record({ id: `id${i}` });
    state.record({ id: "early" });
    state.record({ id: "late" });
    expect(state.seen("early")).toBe(true);
    expect(state.seen("id1")).toBe(false);
    expect(state.seen("id2")).toBe(true);
    state.save();
    const saved = JSON.parse(readFileSync(path, "utf8")).delivered as string[];
    expect(saved).toHaveLength(DELIVERED_LIMIT);
    expect(saved.slice(-2)).toEqual(["early", "late"]);
  });

  it.skipIf(!existsSync("/proc/self/fd"))("record and save never leave a descriptor open", () => {
    const path = join(tempDir(), "s.json");
    const state = PollState.load(path, "stripe", "events");
    const open = () => readdirSync("/proc/self/fd").length;
    const before = open();
    for (let i = 0; i < 20; i += 1) {
      state.record({ id: `e${i}`, cursor: `e${i}` });
      state.save();
    }
    expect(open()).toBe(before);
  });

  it("save() keeps what the pass asked for, and the time it was written", () => {
    const path = join(tempDir(), "s.json");
    const state = PollState.load(path, "github", "repo-octo-hello");
    const before = Date.now();
    state.save({ etag: '"abc"', pollIntervalMs: 60_000 });
    const saved = JSON.parse(readFileSync(path, "utf8"));
    expect(saved).toMatchObject({ version: 1, etag: '"abc"', pollIntervalMs: 60_000, delivered: [] });
    expect(Date.parse(saved.updatedAt)).toBeGreaterThanOrEqual(before - 1000);
    expect(PollState.load(path, "github", "repo-octo-hello").data.etag).toBe('"abc"');
  });
});

describe("poll lock", () => {
  it("is exclusive while held, released once, and taken over from a dead pid", () => {
    const path = join(tempDir(), "l.lock");
    const release = acquirePollLock(path);
    const held = (() => {
      try {
        acquirePollLock(path);
      } catch (e) {
        return e as HookError;
      }
    })();
    expect(held?.exitCode).toBe(75);
    expect(held?.message).toMatch(
      new RegExp(`^poll: another hook poll is running \\(pid \\d+.*\\): lock ${path}$`),
    );
    expect(held?.hint).toBe("this run stops so the two do not deliver the same events; cron will try again");
    release();
    release();
    expect(existsSync(path)).toBe(false);
    writeFileSync(path, JSON.stringify({ pid: 2 ** 22 + 12345, startedAt: "then" }));
    const mine = acquirePollLock(path);
    expect(JSON.parse(readFileSync(path, "utf8")).pid).toBe(process.pid);
    mine();
  });

  it("takes a dead holder's lock over only under the takeover lock, so two starters cannot both win", () => {
    const path = join(tempDir(), "l.lock");
    writeFileSync(path, JSON.stringify({ pid: 2 ** 22 + 12345, startedAt: "then" }));
    // Another starter is in the middle of taking over: this one must not remove the lock too.
    writeFileSync(`${path}.takeover`, "");
    expect(() => acquirePollLock(path)).toThrow(/another hook poll is running/);
    // A takeover lock left by a crash is cleared after the grace period.
    const old = new Date(Date.now() - 60_000);
    utimesSync(`${path}.takeover`, old, old);
    acquirePollLock(path)();
    expect(existsSync(`${path}.takeover`)).toBe(false);
  });

  it("takes over a lock whose pid now belongs to a process started after it was written (a reboot)", () => {
    const path = join(tempDir(), "l.lock");
    writeFileSync(path, JSON.stringify({ pid: process.pid, startedAt: new Date().toISOString() }));
    expect(() => acquirePollLock(path)).toThrow(/another hook poll is running/);
    writeFileSync(path, JSON.stringify({ pid: process.pid, startedAt: "2001-01-01T00:00:00.000Z" }));
    const release = acquirePollLock(path);
    expect(JSON.parse(readFileSync(path, "utf8")).startedAt).not.toBe("2001-01-01T00:00:00.000Z");
    release();
  });

  // A zombie needs a parent that never waits; a shell may reap its job first, so python makes one.
  const python = spawnSync("python3", ["-c", "0"]).status === 0;
  it.skipIf(!python)(
    "takes over a lock held by a killed process its parent has not reaped yet (a zombie)",
    async () => {
      const script =
        "import os,sys,time\npid=os.fork()\nif pid==0: os._exit(0)\ntime.sleep(0.2)\nprint(pid,flush=True)\ntime.sleep(5)";
      const parent = spawn("python3", ["-c", script], { stdio: ["ignore", "pipe", "ignore"] });
      const pid = Number((await once(parent.stdout, "data"))[0].toString());
      try {
        // The child can only end up a zombie (nobody reaps it); under load it may take a moment.
        for (let i = 0; i < 300 && procStat(pid)?.state !== "Z"; i += 1)
          await new Promise((r) => setTimeout(r, 10));
        expect(procStat(pid)?.state).toBe("Z");
        const path = join(tempDir(), "l.lock");
        writeFileSync(path, JSON.stringify({ pid, startedAt: new Date().toISOString() }));
        acquirePollLock(path)();
      } finally {
        parent.kill("SIGKILL");
      }
    },
  );

  it("treats an unreadable lock as held while fresh and as stale once old", () => {
    const path = join(tempDir(), "l.lock");
    writeFileSync(path, "");
    let error: HookError | undefined;
    try {
      acquirePollLock(path);
    } catch (e) {
      error = e as HookError;
    }
    expect(error?.exitCode).toBe(75);
    expect(error?.message).toMatch(/holder unknown/);
    const old = new Date(Date.now() - 60_000);
    utimesSync(path, old, old);
    acquirePollLock(path)();
    expect(existsSync(path)).toBe(false);
  });
});

describe("poll output", () => {
  it("never prints a credential carried in an API URL", () => {
    expect(redactUrl("https://u:p@api.example.com/e?api_key=abc&since_id=3")).toBe(
      "https://u:***@api.example.com/e?api_key=***&since_id=3",
    );
    expect(redactUrl("http://x/v1/events?created[gte]=1&limit=100")).toBe(
      "http://x/v1/events?created[gte]=1&limit=100",
    );
  });
});
