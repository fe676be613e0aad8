// hook replay of 10,000 fixtures at --concurrency 50 against a local target, compared with
// autocannon's throughput on the same target (50 connections, a body of the same size) measured in the
// same run. Prints ratios; absolute numbers on a shared machine mean little.
//
// The baseline runs for a duration, not a request count: autocannon only notices that `amount` requests
// are done on its next one-second tick, so 10,000 requests finished in 0.2 s used to read as 10,000 req/s
// and made hook look 2-3x better than it is. Its rate is the requests it completed over the seconds it
// measured.
//
// Beside it, the floor undici sets: a fresh process that sends the same 10,000 requests through
// undici's dispatch() with a handler that does nothing (no files, no signing, no output), timed from its
// first request to its last answer like hook's sending phase. hook sends with undici, so it cannot beat
// that. And the CPU time each process used per request, which the machine's other load moves far less
// than the rates. BENCH_REPLAY_OTHER=/path/to/bin/hook.js adds a second hook build to every round (A/B).
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";

const N = 10_000;
const CONCURRENCY = 50;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const BIN = fileURLToPath(new URL("../bin/hook.js", import.meta.url));
const OTHER = process.env.BENCH_REPLAY_OTHER;
const SECRET = "whsec_bench_secret";
const UNDICI = fileURLToPath(new URL("../node_modules/undici/index.js", import.meta.url));

const body = (i) =>
  `${JSON.stringify({ id: `evt_bench_${i}`, object: "event", type: "payment_intent.succeeded", data: { object: { id: `pi_${i}`, amount: 2000, currency: "usd" } } }, null, 2)}\n`;

function makeFixtures() {
  const dir = mkdtempSync(join(tmpdir(), "hook-bench-replay-"));
  for (let i = 0; i < N; i++) {
    const sub = join(dir, String(Math.floor(i / 1000)).padStart(2, "0"));
    if (i % 1000 === 0) mkdirSync(sub);
    const fixture = {
      hook: 1,
      provider: "stripe",
      event: "payment_intent.succeeded",
      id: `evt_bench_${i}`,
      request: {
        method: "POST",
        path: "/webhooks",
        headers: { "content-type": "application/json" },
        body: body(i),
      },
    };
    writeFileSync(join(sub, `${String(i).padStart(5, "0")}.json`), JSON.stringify(fixture));
  }
  return dir;
}

/** The target in its own process, so its CPU is not the replay's (reads the body, answers 200). */
function startTarget() {
  const code = `
    const http = require("node:http");
    const server = http.createServer((req, res) => {
      req.on("data", () => {});
      req.on("end", () => { res.writeHead(200, { "content-type": "text/plain" }); res.end("ok"); });
    });
    server.keepAliveTimeout = 10000;
    server.listen(0, "127.0.0.1", () => process.stdout.write(String(server.address().port) + "\\n"));
  `;
  const child = spawn(process.execPath, ["-e", code], { stdio: ["ignore", "pipe", "inherit"] });
  return new Promise((resolve) => {
    child.stdout.once("data", (d) => resolve({ child, url: `http://127.0.0.1:${String(d).trim()}` }));
  });
}

// undici's floor: N requests of the same size, CONCURRENCY at a time, a handler that only counts.
const FLOOR = `
const { Agent } = require(${JSON.stringify(UNDICI)});
const [origin, n, c] = process.argv.slice(1), total = Number(n);
const body = Buffer.from(${JSON.stringify(body(0))});
const headers = { "content-type": "application/json", "stripe-signature": "t=1,v1=${"0".repeat(64)}" };
const agent = new Agent({ connections: Number(c) });
let next = 0, failed = 0;
const one = () => new Promise((resolve) => agent.dispatch(
  { origin, path: "/webhooks", method: "POST", headers, body, headersTimeout: 0, bodyTimeout: 0 },
  { onConnect() {}, onHeaders(s) { if (s !== 200) failed++; return true; }, onData() { return true; },
    onComplete: resolve, onError(e) { failed++; resolve(); } }));
const worker = async () => { while (next < total) { next++; await one(); } };
const started = performance.now();
Promise.all(Array.from({ length: Number(c) }, worker)).then(() => {
  const ms = performance.now() - started;
  process.stdout.write(JSON.stringify({ perSecond: (total / ms) * 1000, durationMs: ms, failed }) + "\\n");
  return agent.close();
});
`;

const BASELINE_SECONDS = Number(process.env.BENCH_SECONDS ?? 3);

async function baseline(url) {
  const cpu = process.cpuUsage();
  const result = await autocannon({
    url: `${url}/webhooks`,
    method: "POST",
    connections: CONCURRENCY,
    duration: BASELINE_SECONDS,
    headers: { "content-type": "application/json", "stripe-signature": `t=1,v1=${"0".repeat(64)}` },
    body: body(0),
  });
  const used = process.cpuUsage(cpu);
  if (result.non2xx || result.errors)
    throw new Error(`autocannon: ${result.non2xx} non-2xx, ${result.errors} errors`);
  return {
    rate: result.requests.total / result.duration,
    cpuUs: (used.user + used.system) / result.requests.total,
  };
}

/** CPU time of this process's children that have exited (clock ticks of 10 ms), from /proc. */
function childrenCpuMs() {
  const stat = readFileSync("/proc/self/stat", "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // After the ")": state is field 3 of stat(5), so cutime (16) and cstime (17) are at 13 and 14.
  return (Number(fields[13]) + Number(fields[14])) * 10;
}

/** Runs a child to its end; resolves with its last stdout line, its wall time and its CPU time. */
function runChild(args) {
  return new Promise((resolve, reject) => {
    const cpuBefore = childrenCpuMs();
    const started = performance.now();
    const child = spawn(process.execPath, args, {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, NO_COLOR: "1" },
    });
    let last = "";
    let err = "";
    child.stdout.setEncoding("utf8").on("data", (d) => {
      last = (last + d).slice(-2000);
    });
    child.stderr.setEncoding("utf8").on("data", (d) => {
      err += d;
    });
    child.on("close", (code) => {
      const seconds = (performance.now() - started) / 1000;
      if (code !== 0) return reject(new Error(`${args[0]} exited ${code}: ${err}`));
      const line = JSON.parse(last.trim().split("\n").at(-1));
      resolve({ line, seconds, cpuUs: ((childrenCpuMs() - cpuBefore) * 1000) / N });
    });
  });
}

async function replay(bin, dir, url) {
  const args = [bin, "replay", dir, "--to", url, "--secret", SECRET, "--concurrency", String(CONCURRENCY)];
  const { line, seconds, cpuUs } = await runChild([...args, "--json"]);
  return { wall: N / seconds, sending: line.perSecond, seconds, sendSeconds: line.durationMs / 1000, cpuUs };
}

async function floor(url) {
  const { line, cpuUs } = await runChild(["-e", FLOOR, url, String(N), String(CONCURRENCY)]);
  if (line.failed) throw new Error(`undici floor: ${line.failed} failed`);
  return { sending: line.perSecond, cpuUs };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (n) => n.toFixed(0).padStart(7);
const load = () => loadavg()[0].toFixed(1);

const dir = makeFixtures();
const { child, url } = await startTarget();
try {
  const loadBefore = load();
  await baseline(url); // warm-up: JIT and sockets on both sides
  const base = [];
  const floors = [];
  const builds = OTHER ? [BIN, OTHER] : [BIN];
  const runs = builds.map(() => []);
  for (let round = 0; round < ROUNDS; round++) {
    base.push(await baseline(url));
    floors.push(await floor(url));
    // Alternating builds, the order flipped each round, so neither always runs second.
    const order = round % 2 === 0 ? builds.map((_, i) => i) : builds.map((_, i) => i).reverse();
    for (const i of order) runs[i].push(await replay(builds[i], dir, url));
  }
  const b = median(base.map((x) => x.rate));
  const ratio = (r) => `${(r / b).toFixed(2)}x`;
  const floorRate = median(floors.map((f) => f.sending));
  console.log(`hook replay: ${N} fixtures, --concurrency ${CONCURRENCY}, median of ${ROUNDS} rounds`);
  console.log(`load average ${loadBefore} before, ${load()} after`);
  console.log("                                    req/s   ratio   CPU µs/request");
  console.log(
    `autocannon (baseline)            ${fmt(b)}   1.00x   ${median(base.map((x) => x.cpuUs)).toFixed(0)}`,
  );
  console.log(
    `undici alone, fresh process      ${fmt(floorRate)}   ${ratio(floorRate)}   ${median(floors.map((f) => f.cpuUs)).toFixed(0)} (whole process)`,
  );
  builds.forEach((bin, i) => {
    const rs = runs[i];
    const sending = median(rs.map((r) => r.sending));
    const wall = median(rs.map((r) => r.wall));
    if (OTHER) console.log(`-- ${bin}`);
    console.log(`hook replay, sending phase       ${fmt(sending)}   ${ratio(sending)}   (goal 0.8x)`);
    console.log(
      `hook replay, whole run (wall)    ${fmt(wall)}   ${ratio(wall)}   ${median(rs.map((r) => r.cpuUs)).toFixed(0)} (whole process; goal 0.6x)`,
    );
    console.log(
      `rounds (s): ${rs.map((r) => `${r.seconds.toFixed(2)} (send ${r.sendSeconds.toFixed(2)}, ${r.cpuUs.toFixed(0)} µs)`).join(", ")}`,
    );
  });
} finally {
  child.kill();
  rmSync(dir, { recursive: true, force: true });
}
