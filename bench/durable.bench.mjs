// hook listen --durable: resident memory as the queue grows (1,000 vs 100,000 pending 4 KB events, the
// target down), start-up with 100,000 and with 1,000,000 pending (the journal read as a stream), and
// throughput with --durable against live forwarding (32 connections, both verifying Stripe signatures).
// Ratios in one run; absolute numbers on a shared machine mean little.
import { spawn } from "node:child_process";
import {
  closeSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
  writeSync,
} from "node:fs";
import { createServer as createHttpServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";
import Stripe from "stripe";
import { Pool } from "undici";
import { freePort } from "./lib.mjs";

const BIN = fileURLToPath(new URL("../bin/hook.js", import.meta.url));
const LINES = new URL("../dist/deliver/journal-lines.js", import.meta.url);
const SECRET = "whsec_bench_secret";
const SMALL = 1_000;
const LARGE = Number(process.env.BENCH_DURABLE_PENDING ?? 100_000);
const MILLION = Number(process.env.BENCH_DURABLE_MILLION ?? 1_000_000);
// 1 KB bodies for the million by default (1.5 GB of journal); BENCH_DURABLE_MILLION_BYTES=4096 for 5.6 GB.
const MILLION_BYTES = Number(process.env.BENCH_DURABLE_MILLION_BYTES ?? 1024);
const CONNECTIONS = 32;
const ROUNDS = Number(process.env.BENCH_DURABLE_ROUNDS ?? 2);
const WARM = Number(process.env.BENCH_DURABLE_WARM ?? 20_000);
const DURATION = Number(process.env.BENCH_SECONDS ?? 8);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 8);
const work = mkdtempSync(join(tmpdir(), "hook-bench-durable-"));

/** Resident memory of a process, MB (Linux /proc). */
function rssMb(pid) {
  const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return Number(match?.[1] ?? Number.NaN) / 1024;
}

/** User + system CPU of a process so far, in clock ticks (1/100 s on Linux). */
function cpuTicks(pid, mainThread = false) {
  const stat = readFileSync(mainThread ? `/proc/${pid}/task/${pid}/stat` : `/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return Number(fields[11]) + Number(fields[12]);
}

/** Waits until the process has used (almost) no CPU for half a second: its queue is drained. */
async function quiet(pid) {
  for (let calm = 0, last = cpuTicks(pid); calm < 2; ) {
    await new Promise((r) => setTimeout(r, 250));
    const now = cpuTicks(pid);
    calm = now - last <= 1 ? calm + 1 : 0;
    last = now;
  }
}

/** `hook listen --json ...`, resolved with its port and start-up time once the ready line is out. */
function listen(args) {
  const started = performance.now();
  const child = spawn(process.execPath, [BIN, "listen", "--json", "--no-tunnel", "--port", "0", ...args], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let text = "";
  let stderr = "";
  child.stderr.on("data", (d) => {
    stderr += d;
  });
  return new Promise((resolve, reject) => {
    const onData = (chunk) => {
      text += chunk;
      const match = /"kind":"ready"[^\n]*"port":(\d+)/.exec(text);
      if (!match) return;
      child.stdout.off("data", onData);
      // Keep reading (and dropping) its lines, or a full pipe would stall it.
      child.stdout.resume();
      const stop = () =>
        new Promise((done) => {
          if (child.exitCode !== null) return done();
          child.once("exit", done);
          child.kill("SIGKILL");
        });
      const readyLine = text.slice(text.lastIndexOf("\n", match.index) + 1).split("\n")[0];
      const pending = JSON.parse(readyLine).pending;
      resolve({ child, port: Number(match[1]), readyMs: performance.now() - started, pending, stop });
    };
    child.stdout.on("data", onData);
    child.on("exit", (code) => reject(new Error(`hook listen exited ${code}: ${stderr.slice(-2000)}`)));
  });
}

const pad4k = "x".repeat(4096 - 60);
const event = (n) =>
  process.env.NOID
    ? `{"type":"bench.event","pad":"${pad4k}"}`
    : `{"id":"evt_bench_${n}","type":"bench.event","pad":"${pad4k}"}`;

/** Posts events `from`..`to`-1, 32 at a time; all must be answered 202. */
async function fill(port, from, to) {
  const pool = new Pool(`http://127.0.0.1:${port}`, { connections: CONNECTIONS });
  let next = from;
  const worker = async () => {
    while (next < to) {
      const n = next++;
      const r = await pool.request({ method: "POST", path: "/", body: event(n) });
      await r.body.dump();
      if (r.statusCode !== 202) throw new Error(`event ${n}: ${r.statusCode}`);
    }
  };
  await Promise.all(Array.from({ length: CONNECTIONS }, worker));
  await pool.close();
}

const settle = () => new Promise((r) => setTimeout(r, 1500));

/** A target on `port` that takes everything, until it is closed. */
function acceptingTarget(port) {
  const server = createHttpServer((req, res) => {
    req.resume();
    req.on("end", () => {
      server.received += 1;
      res.end("ok");
    });
  });
  server.received = 0;
  return new Promise((resolve) => server.listen(port, "127.0.0.1", () => resolve(server)));
}

async function memory(down, warmup) {
  const dataDir = join(work, "memory");
  const args = [
    "--durable",
    "--retry",
    "1h",
    "--forward-to",
    `http://127.0.0.1:${down}`,
    "--data-dir",
    dataDir,
  ];
  const hook = await listen(args);
  try {
    // Warm: the same traffic, delivered at once while the target is up, so the queue stays empty. Then
    // the target goes away and the queue grows; both figures come from a process past its warm-up.
    const cold = rssMb(hook.child.pid);
    if (warmup > 0) {
      const target = await acceptingTarget(down);
      await fill(hook.port, -warmup, 0);
      while (target.received < warmup) await new Promise((r) => setTimeout(r, 100));
      target.closeAllConnections();
      await new Promise((r) => target.close(r));
    }
    await fill(hook.port, 0, SMALL);
    await settle();
    const small = rssMb(hook.child.pid);
    const t0 = performance.now();
    const steps = [];
    for (let at = SMALL; at < LARGE; ) {
      const to = Math.min(LARGE, at * 4);
      await fill(hook.port, at, to);
      at = to;
      steps.push(`${Math.round(rssMb(hook.child.pid))} MB at ${at}`);
    }
    const fillRate = (LARGE - SMALL) / ((performance.now() - t0) / 1000);
    await settle();
    const large = rssMb(hook.child.pid);
    const journalMb = statSync(join(dataDir, "outbox.ndjson")).size / 2 ** 20;
    return { cold, small, large, fillRate, steps, dataDir, journalMb };
  } finally {
    await hook.stop();
  }
}

async function restart(dataDir, down) {
  const hook = await listen([
    "--durable",
    "--retry",
    "1h",
    "--forward-to",
    `http://127.0.0.1:${down}`,
    "--data-dir",
    dataDir,
  ]);
  await settle();
  const result = { readyMs: hook.readyMs, pending: hook.pending, rss: rssMb(hook.child.pid) };
  await hook.stop();
  return result;
}

/** A journal of `count` pending entries, written in the outbox's own line format. */
async function writeJournal(dir, count, bytes) {
  const { encodeEntry } = await import(LINES);
  mkdirSync(dir, { recursive: true });
  const fd = openSync(join(dir, "outbox.ndjson"), "w");
  const body = Buffer.from(`{"id":"evt","pad":"${"x".repeat(Math.max(0, bytes - 20))}"}`);
  const receivedAt = new Date().toISOString();
  let batch = [];
  for (let seq = 1; seq <= count; seq += 1) {
    batch.push(
      encodeEntry({ seq, receivedAt, method: "POST", path: "/", headers: [], body, eventId: `evt_${seq}` }),
    );
    if (batch.length === 10_000 || seq === count) {
      writeSync(fd, batch.join(""));
      batch = [];
    }
  }
  closeSync(fd);
  return statSync(join(dir, "outbox.ndjson")).size / 2 ** 20;
}

const TARGET = `require("node:http").createServer((req, res) => { req.resume(); req.on("end", () => {
  res.writeHead(200, { "content-type": "application/json" }); res.end('{"received":true}'); }); })
  .listen(Number(process.argv[1]), "127.0.0.1");`;

async function throughput() {
  const targetPort = await freePort();
  const target = spawn(process.execPath, ["-e", TARGET, String(targetPort)], { stdio: "ignore" });
  await new Promise((r) => setTimeout(r, 300));
  const payload = JSON.stringify({
    id: "evt_bench",
    object: "event",
    type: "payment_intent.succeeded",
    data: { object: { amount: 2000 } },
  });
  const signature = Stripe.webhooks.generateTestHeaderString({ payload, secret: SECRET });
  const common = [
    "--provider",
    "stripe",
    "--secret",
    SECRET,
    "--tolerance",
    "1h",
    "--forward-to",
    `http://127.0.0.1:${targetPort}`,
  ];
  const rates = { live: [], durable: [] };
  try {
    // Alternating rounds, so a burst of load from elsewhere on a shared machine hits both alike.
    for (let round = 0; round < ROUNDS; round += 1) {
      for (const [name, extra] of [
        ["live", []],
        ["durable", ["--durable"]],
      ]) {
        const hook = await listen([...common, ...extra, "--data-dir", join(work, `rate-${name}-${round}`)]);
        const url = `http://127.0.0.1:${hook.port}/`;
        const headers = { "content-type": "application/json", "stripe-signature": signature };
        const options = { url, method: "POST", connections: CONNECTIONS, body: payload, headers };
        await autocannon({ ...options, duration: WARMUP });
        await quiet(hook.child.pid);
        const before = cpuTicks(hook.child.pid);
        const mainBefore = cpuTicks(hook.child.pid, true);
        const r = await autocannon({ ...options, duration: DURATION });
        // Until the worker has delivered what was queued: the CPU of those deliveries counts too.
        await quiet(hook.child.pid);
        const cpuMs = (cpuTicks(hook.child.pid) - before) * 10;
        const mainMs = (cpuTicks(hook.child.pid, true) - mainBefore) * 10;
        rates[name].push({
          rps: r.requests.average,
          p99: r.latency.p99,
          bad: r.non2xx + r.errors + r.timeouts,
          cpuUs: (cpuMs * 1000) / r.requests.total,
          mainUs: (mainMs * 1000) / r.requests.total,
        });
        await hook.stop();
      }
    }
  } finally {
    target.kill("SIGKILL");
  }
  return rates;
}

try {
  // Throughput first: after the memory runs write gigabytes, the disk's writeback slows every fsync.
  const t = await throughput();
  console.log(
    `\nthroughput, ${CONNECTIONS} connections, ${DURATION}s a round, Stripe-verified, ${ROUNDS} rounds each:`,
  );
  const show = (r) =>
    r.map((x) => `${Math.round(x.rps)} req/s (p99 ${x.p99} ms, ${x.bad} errors)`).join(", ");
  console.log(`  live forwarding   ${show(t.live)}`);
  console.log(`  --durable (202)   ${show(t.durable)}`);
  const ratios = t.durable.map((d, i) => d.rps / t.live[i].rps);
  console.log(`  --durable / live: ${ratios.map((r) => r.toFixed(2)).join(", ")} per round (aim: >= 0.8x)`);
  // On a shared machine req/s swings with everyone else's load; CPU time per request does much less.
  // The main thread is the one that answers webhooks (the delivery thread runs beside it).
  const us = (r, key) => r.map((x) => Math.round(x[key])).join(", ");
  console.log(
    `  CPU per request, us, whole process: live ${us(t.live, "cpuUs")}; --durable ${us(t.durable, "cpuUs")}`,
  );
  console.log(
    `  CPU per request, us, main thread:   live ${us(t.live, "mainUs")}; --durable ${us(t.durable, "mainUs")}`,
  );
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const ratio = (key) => median(t.live.map((x) => x[key])) / median(t.durable.map((x) => x[key]));
  console.log(
    `  CPU-bound throughput ratio (live / durable, medians): main thread ${ratio("mainUs").toFixed(2)}x, whole process ${ratio("cpuUs").toFixed(2)}x`,
  );
  console.log("");
  const down = await freePort();
  const m = await memory(down, WARM);
  console.log(
    `memory, 4 KB events, target down after ${WARM} delivered: RSS ${m.small.toFixed(1)} MB at ${SMALL} pending, ${m.large.toFixed(1)} MB at ${LARGE} pending: ${(m.large / m.small).toFixed(2)}x (aim: <= 1.3x)`,
  );
  console.log(`  RSS at start ${m.cold.toFixed(1)} MB`);
  console.log(`  while filling: ${m.steps.join(", ")}`);
  console.log(
    `  accepted at ${Math.round(m.fillRate)} req/s while the queue grew; journal ${m.journalMb.toFixed(0)} MB`,
  );
  const r = await restart(m.dataDir, down);
  console.log(
    `restart with ${r.pending} pending: ready in ${(r.readyMs / 1000).toFixed(2)} s, RSS ${r.rss.toFixed(1)} MB (${(r.rss / m.small).toFixed(2)}x the 1,000-pending RSS)`,
  );
  rmSync(m.dataDir, { recursive: true, force: true });
  if (MILLION > 0) {
    const dir = join(work, "million");
    const mb = await writeJournal(dir, MILLION, MILLION_BYTES);
    const big = await restart(dir, down);
    console.log(
      `restart with ${big.pending} pending (${MILLION_BYTES}-byte bodies, ${(mb / 1024).toFixed(2)} GB journal): ready in ${(big.readyMs / 1000).toFixed(2)} s, RSS ${big.rss.toFixed(1)} MB`,
    );
    rmSync(dir, { recursive: true, force: true });
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
