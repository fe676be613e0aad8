// What the inspector costs `hook listen --forward-to` (Stripe verification on): bursts of 10,000 signed
// requests against hook with --no-inspect, with the inspector on and no page open, and with one page open
// in Chromium. Modes are measured in turns, several rounds, and the median burst is reported, so drift on
// a shared machine hits all of them alike. Also: how far the page falls behind a burst and its longest
// main-thread task (is it still responsive?), and hook's resident memory after all the bursts.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";
import { chromium } from "playwright-core";
import Stripe from "stripe";
import { freePort, waitUp } from "./lib.mjs";

const BIN = fileURLToPath(new URL("../bin/hook.js", import.meta.url));
const SECRET = "whsec_bench_secret";
const BURST = Number(process.env.BENCH_BURST ?? 10_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 5);
const CONNECTIONS = 32;
const CHROMIUM = process.env.CHROMIUM_BIN ?? "/usr/bin/chromium";
const work = mkdtempSync(join(tmpdir(), "hook-bench-inspect-"));

const payload = JSON.stringify({
  id: "evt_3NxBenchInspect000000000",
  object: "event",
  type: "payment_intent.succeeded",
  data: { object: { id: "pi_3NxBench", object: "payment_intent", amount: 2000, currency: "eur" } },
  livemode: false,
});
const signature = Stripe.webhooks.generateTestHeaderString({ payload, secret: SECRET });
const headers = { "content-type": "application/json", "stripe-signature": signature };

const TARGET = `
const http = require("node:http");
const server = http.createServer((req, res) => {
  req.resume();
  req.on("end", () => { res.writeHead(200, { "content-type": "application/json" }); res.end('{"received":true}'); });
});
server.keepAliveTimeout = 60000;
server.listen(Number(process.argv[1]), "127.0.0.1");
`;

function start(command, args) {
  const child = spawn(command, args, { stdio: ["ignore", "ignore", "ignore"] });
  return {
    pid: child.pid,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", resolve);
        child.kill("SIGKILL");
      }),
  };
}

/** CPU seconds (user + system) a process has used: a cost that other load on the machine barely moves. */
function cpuSeconds(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** The CPU seconds of this benchmark's Chromium: every process below this one whose name says chrom(e|ium). */
function chromiumCpuSeconds() {
  const root = process.pid;
  const parent = new Map();
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      parent.set(
        Number(name),
        Number(readFileSync(`/proc/${name}/stat`, "utf8").split(") ")[1].split(" ")[1]),
      );
    } catch {
      // The process ended meanwhile.
    }
  }
  const inTree = (pid) => pid === root || (parent.has(pid) && pid !== 1 && inTree(parent.get(pid)));
  let total = 0;
  for (const pid of parent.keys()) {
    if (pid === root || !inTree(pid)) continue;
    try {
      if (readFileSync(`/proc/${pid}/comm`, "utf8").includes("chrom")) total += cpuSeconds(pid);
    } catch {
      // The process ended meanwhile.
    }
  }
  return total;
}

function rssMb(pid) {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Math.round(Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024);
}

/**
 * One burst of BURST requests, timed from the first request to the BURST-th answer (autocannon's own
 * duration only ends on its next one-second tick, which would blur a burst this short).
 */
function burst(url) {
  return new Promise((resolve, reject) => {
    let answered = 0;
    let ended;
    const started = performance.now();
    const instance = autocannon(
      { url, method: "POST", connections: CONNECTIONS, amount: BURST, body: payload, headers },
      (error, result) => {
        if (error) return reject(error);
        const seconds = ((ended ?? performance.now()) - started) / 1000;
        resolve({
          rps: BURST / seconds,
          p99: result.latency.p99,
          bad: result.non2xx + result.errors + result.timeouts,
        });
      },
    );
    instance.on("response", () => {
      answered += 1;
      if (answered === BURST) ended = performance.now();
    });
  });
}

const warm = (url) =>
  autocannon({ url, method: "POST", connections: CONNECTIONS, duration: WARMUP, body: payload, headers });

async function startHook(name, targetPort, extra) {
  const port = await freePort();
  const args = ["listen", "--no-tunnel", "--port", String(port), "--provider", "stripe", "--secret", SECRET];
  args.push(
    "--tolerance",
    "1h",
    "-f",
    `http://127.0.0.1:${targetPort}`,
    "--data-dir",
    join(work, name),
    ...extra,
  );
  const proc = start(process.execPath, [BIN, ...args]);
  const url = `http://127.0.0.1:${port}/webhooks`;
  await waitUp(url);
  return { name, url, proc, runs: [] };
}

/** Opens the page; returns what to ask it after a burst: the newest row shown and the longest task. */
async function openPage(browser, inspectUrl) {
  const page = await browser.newPage();
  await page.goto(inspectUrl);
  await page.waitForFunction(() => document.getElementById("live")?.textContent === "live");
  await page.evaluate(() => {
    window.longest = 0;
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) window.longest = Math.max(window.longest, entry.duration);
    }).observe({ type: "longtask", buffered: false });
  });
  return page;
}

async function caughtUp(page) {
  const newest = await (await fetch(page.apiUrl)).json();
  const n = newest.requests[0]?.n;
  const started = performance.now();
  await page.waitForFunction(
    (want) => document.querySelector("#requests tbody tr")?.dataset.n === String(want),
    n,
    {
      timeout: 60_000,
    },
  );
  return performance.now() - started;
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

const stops = [];
let browser;
try {
  const targetPort = await freePort();
  stops.push(start(process.execPath, ["-e", TARGET, String(targetPort)]).stop);
  await waitUp(`http://127.0.0.1:${targetPort}/`);
  const modes = [await startHook("off", targetPort, ["--no-inspect"])];
  modes.push(await startHook("on", targetPort, ["--inspect-port", "0"]));
  const inspectPort = await freePort();
  const withPage = await startHook("page", targetPort, ["--inspect-port", String(inspectPort)]);
  modes.push(withPage);
  for (const mode of modes) stops.push(mode.proc.stop);
  let page;
  if (existsSync(CHROMIUM)) {
    const args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run"];
    args.push("--disable-background-networking", "--disable-component-update", "--disable-sync");
    browser = await chromium.launch({ executablePath: CHROMIUM, args });
    page = await openPage(browser, `http://127.0.0.1:${inspectPort}/`);
    page.apiUrl = `http://127.0.0.1:${inspectPort}/api/requests?limit=1`;
  } else {
    modes.pop();
    console.log(`(no Chromium at ${CHROMIUM}: the page-open mode is skipped)`);
  }
  for (const mode of modes) await warm(mode.url);
  const lags = [];
  const pageCpus = [];
  for (let round = 0; round < ROUNDS; round += 1) {
    for (const mode of modes) {
      const cpu = cpuSeconds(mode.proc.pid);
      const pageCpu = mode === withPage && browser ? chromiumCpuSeconds() : 0;
      const run = await burst(mode.url);
      run.cpuUs = ((cpuSeconds(mode.proc.pid) - cpu) / BURST) * 1e6;
      if (mode === withPage && browser) pageCpus.push(((chromiumCpuSeconds() - pageCpu) / BURST) * 1e6);
      mode.runs.push(run);
      if (mode === withPage && page) lags.push(await caughtUp(page));
    }
  }
  const base = median(modes[0].runs.map((r) => r.rps));
  const baseCpu = median(modes[0].runs.map((r) => r.cpuUs));
  const label = { off: "--no-inspect", on: "inspector, no page open", page: "inspector, one page open" };
  console.log(`${ROUNDS} rounds of ${BURST}-request bursts, ${CONNECTIONS} connections; median burst\n`);
  const columns = ["req/s", "x off", "CPU µs/req", "x off", "p99 ms", "RSS MB"];
  console.log(`${"".padEnd(28)}${columns.map((c) => c.padEnd(11)).join("")}errors`);
  for (const mode of modes) {
    const rps = median(mode.runs.map((r) => r.rps));
    const bad = mode.runs.reduce((sum, r) => sum + r.bad, 0);
    const p99 = median(mode.runs.map((r) => r.p99));
    const cpu = median(mode.runs.map((r) => r.cpuUs));
    const cells = [
      Math.round(rps),
      (rps / base).toFixed(3),
      Math.round(cpu),
      (cpu / baseCpu).toFixed(3),
      p99,
      rssMb(mode.proc.pid),
    ];
    console.log(`${label[mode.name].padEnd(28)}${cells.map((c) => String(c).padEnd(11)).join("")}${bad}`);
  }
  if (page) {
    const longest = await page.evaluate(() => window.longest);
    console.log(
      `\npage: caught up ${Math.round(median(lags))} ms after a burst (median), longest task ${Math.round(longest)} ms`,
    );
    console.log(`Chromium (all its processes): ${Math.round(median(pageCpus))} µs of CPU per request`);
  }
} finally {
  await browser?.close();
  for (const stop of stops) await stop();
  rmSync(work, { recursive: true, force: true });
}
