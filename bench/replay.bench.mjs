// hook replay of 10,000 fixtures at --concurrency 50 against a local target, compared with
// autocannon's throughput on the same target (50 connections, a body of the same size) measured in the
// same run. Prints ratios; absolute numbers on a shared machine mean little.
//
// The baseline runs for a duration, not a request count: autocannon only notices that `amount` requests
// are done on its next one-second tick, so 10,000 requests finished in 0.2 s used to read as 10,000 req/s
// and made hook look 2-3x better than it is. Its rate is the requests it completed over the seconds it
// measured.
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";

const N = 10_000;
const CONCURRENCY = 50;
const ROUNDS = 3;
const BIN = fileURLToPath(new URL("../bin/hook.js", import.meta.url));
const SECRET = "whsec_bench_secret";

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

const BASELINE_SECONDS = Number(process.env.BENCH_SECONDS ?? 3);

async function baseline(url) {
  const result = await autocannon({
    url: `${url}/webhooks`,
    method: "POST",
    connections: CONCURRENCY,
    duration: BASELINE_SECONDS,
    headers: { "content-type": "application/json", "stripe-signature": `t=1,v1=${"0".repeat(64)}` },
    body: body(0),
  });
  if (result.non2xx || result.errors)
    throw new Error(`autocannon: ${result.non2xx} non-2xx, ${result.errors} errors`);
  return { rate: result.requests.total / result.duration, seconds: result.duration };
}

function replay(dir, url) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(
      process.execPath,
      [BIN, "replay", dir, "--to", url, "--secret", SECRET, "--concurrency", String(CONCURRENCY), "--json"],
      { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, NO_COLOR: "1" } },
    );
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
      if (code !== 0) return reject(new Error(`hook replay exited ${code}: ${err}`));
      const summary = JSON.parse(last.trim().split("\n").at(-1));
      resolve({
        wall: N / seconds,
        sending: summary.perSecond,
        seconds,
        sendSeconds: summary.durationMs / 1000,
      });
    });
  });
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (n) => n.toFixed(0).padStart(7);

const dir = makeFixtures();
const { child, url } = await startTarget();
try {
  await baseline(url); // warm-up: JIT and sockets on both sides
  const base = [];
  const runs = [];
  for (let round = 0; round < ROUNDS; round++) {
    base.push((await baseline(url)).rate);
    runs.push(await replay(dir, url));
  }
  const b = median(base);
  const wall = median(runs.map((r) => r.wall));
  const sending = median(runs.map((r) => r.sending));
  console.log(`hook replay: ${N} fixtures, --concurrency ${CONCURRENCY}, median of ${ROUNDS} rounds`);
  console.log("                                    req/s   ratio");
  console.log(`autocannon (baseline)            ${fmt(b)}   1.00x`);
  console.log(`hook replay, sending phase       ${fmt(sending)}   ${(sending / b).toFixed(2)}x`);
  console.log(
    `hook replay, whole run (wall)    ${fmt(wall)}   ${(wall / b).toFixed(2)}x   (start, read+check ${N} files, sign, send)`,
  );
  console.log(
    `rounds (s): ${runs.map((r) => `${r.seconds.toFixed(2)} (send ${r.sendSeconds.toFixed(2)})`).join(", ")}`,
  );
} finally {
  child.kill();
  rmSync(dir, { recursive: true, force: true });
}
