// hook listen --forward-to, with Stripe verification, against the same target hit directly (and nginx as
// a reverse proxy when it is on PATH). Prints throughput ratios and the latency hook adds (p50/p99).
// Each server runs in its own process; autocannon drives them from this one.
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";
import Stripe from "stripe";
import { freePort, waitUp } from "./lib.mjs";

const BIN = fileURLToPath(new URL("../bin/hook.js", import.meta.url));
const SECRET = "whsec_bench_secret";
const DURATION = Number(process.env.BENCH_SECONDS ?? 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONNECTIONS = 32;
// Measured here: under load, a fresh Node server (hook or the minimal proxy alike) takes 6-8 s at full load
// to reach its steady rate.
const WARMUP = Number(process.env.BENCH_WARMUP ?? 8);
const work = mkdtempSync(join(tmpdir(), "hook-bench-listen-"));

const payload = JSON.stringify({
  id: "evt_3NxBench0000000000000000",
  object: "event",
  type: "payment_intent.succeeded",
  created: 1700000000,
  data: {
    object: {
      id: "pi_3NxBench",
      object: "payment_intent",
      amount: 2000,
      currency: "eur",
      description: "Zoë's order 日本 \u2603",
      metadata: { order: "A-1001", note: "a/b\\c" },
    },
  },
  livemode: false,
  pending_webhooks: 1,
  request: { id: "req_bench", idempotency_key: "5f0e7c1e-bench" },
});
// Signed once; --tolerance 1h keeps it valid for the whole run.
/** A POST, so a server that only answers POST counts as up. */
const POKE = { method: "POST", body: "{}" };
const signature = Stripe.webhooks.generateTestHeaderString({ payload, secret: SECRET });

const TARGET = `
const http = require("node:http");
const server = http.createServer((req, res) => {
  let n = 0;
  req.on("data", (c) => { n += c.length; });
  req.on("end", () => { res.writeHead(200, { "content-type": "application/json" }); res.end('{"received":true}'); });
});
server.keepAliveTimeout = 60000;
server.listen(Number(process.argv[1]), "127.0.0.1");
`;

// The reference forwarder of issue 13: the least the job needs, written by hand. node:http, read the body,
// Stripe's HMAC with a constant-time compare, forward with an undici Pool, pass the answer back. hook must
// reach at least 1.0x of it while doing all its own work (describe, dedupe, events, output).
const REFERENCE = `
const http = require("node:http"), crypto = require("node:crypto");
const { Pool } = require(${JSON.stringify(fileURLToPath(new URL("../node_modules/undici/index.js", import.meta.url)))});
const [port, target, secret] = process.argv.slice(1), url = new URL(target), pool = new Pool(url.origin, { connections: 128 });
http.createServer(async (req, res) => {
  const chunks = []; for await (const c of req) chunks.push(c); const body = Buffer.concat(chunks);
  const sig = String(req.headers["stripe-signature"] ?? ""), t = /t=(\\d+)/.exec(sig)?.[1], v1 = /v1=([0-9a-f]{64})/.exec(sig)?.[1];
  const want = t && crypto.createHmac("sha256", secret).update(t + ".").update(body).digest();
  if (!v1 || !crypto.timingSafeEqual(want, Buffer.from(v1, "hex"))) { res.writeHead(401); return res.end(); }
  const r = await pool.request({ path: url.pathname.replace(/\\/$/, "") + req.url, method: req.method, headers: { "content-type": req.headers["content-type"] }, body });
  const answer = Buffer.from(await r.body.arrayBuffer());
  res.writeHead(r.statusCode, { "content-type": r.headers["content-type"] ?? "application/json" }); res.end(answer);
}).listen(Number(port), "127.0.0.1");
`;

/** /proc/PID/stat counts CPU time in clock ticks: 100 a second on Linux. */
const CLOCK_TICKS = 100;

function startProcess(command, args, signal = "SIGKILL") {
  // Output goes nowhere: hook still renders one line per request, as it would for a person.
  const child = spawn(command, args, { stdio: ["ignore", "ignore", "ignore"] });
  return {
    pid: child.pid,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", resolve);
        child.kill(signal);
      }),
  };
}

function cannon(url) {
  return autocannon({
    url,
    method: "POST",
    connections: CONNECTIONS,
    duration: DURATION,
    body: payload,
    headers: { "content-type": "application/json", "stripe-signature": signature },
  });
}

/** CPU time (user + system) a process has used, in µs, from /proc (Linux); undefined elsewhere. */
function cpuMicros(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
    return ((Number(fields[11]) + Number(fields[12])) * 1e6) / CLOCK_TICKS;
  } catch {
    return undefined;
  }
}

// A full-load warm-up first: the JIT must have compiled the hot paths before the count starts, as it
// has for a server that has been running for a while.
function warmUp(url) {
  return autocannon({
    url,
    method: "POST",
    connections: CONNECTIONS,
    duration: WARMUP,
    body: payload,
    headers: { "content-type": "application/json", "stripe-signature": signature },
  });
}

/** One round against one server: req/s, latency, and the server's CPU per request. */
async function measure(server) {
  const before = cpuMicros(server.pid);
  const r = await cannon(server.url);
  const after = cpuMicros(server.pid);
  const bad = r.non2xx + r.errors + r.timeouts;
  const cpu = before === undefined || after === undefined ? undefined : (after - before) / r.requests.total;
  return { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, bad, cpu };
}

const median = (values) => {
  const sorted = values.filter((v) => v !== undefined).sort((a, b) => a - b);
  return sorted.length === 0 ? undefined : sorted[Math.floor(sorted.length / 2)];
};

function nginxConfig(listenPort, targetPort) {
  return `worker_processes 1; error_log ${work}/nginx-error.log; pid ${work}/nginx.pid;
events { worker_connections 1024; }
http { access_log off; client_body_temp_path ${work}; proxy_temp_path ${work};
  upstream app { server 127.0.0.1:${targetPort}; keepalive 64; }
  server { listen 127.0.0.1:${listenPort};
    location / { proxy_pass http://app; proxy_http_version 1.1; proxy_set_header Connection ""; } } }`;
}

/**
 * Latency at one connection, in microseconds: autocannon rounds to whole milliseconds, too coarse for a
 * 1 ms goal. One keep-alive connection, requests one after another, each timed with hrtime.
 */
async function sequentialLatency(url, count = Number(process.env.BENCH_SEQUENTIAL ?? 3000)) {
  const { Pool } = await import("undici");
  const target = new URL(url);
  const pool = new Pool(target.origin, { connections: 1 });
  const headers = { "content-type": "application/json", "stripe-signature": signature };
  const once = async () => {
    const started = process.hrtime.bigint();
    const r = await pool.request({ path: target.pathname, method: "POST", headers, body: payload });
    await r.body.dump();
    if (r.statusCode !== 200) throw new Error(`${url} answered ${r.statusCode}`);
    return Number(process.hrtime.bigint() - started) / 1000;
  };
  for (let i = 0; i < 500; i += 1) await once(); // warm-up
  const samples = [];
  for (let i = 0; i < count; i += 1) samples.push(await once());
  await pool.close();
  samples.sort((a, b) => a - b);
  return { p50: samples[Math.floor(count * 0.5)], p99: samples[Math.floor(count * 0.99)] };
}

const oneConnection = {};
const servers = [];
const stops = [];
try {
  const targetPort = await freePort();
  stops.push(startProcess(process.execPath, ["-e", TARGET, String(targetPort)]).stop);
  await waitUp(`http://127.0.0.1:${targetPort}/`, POKE);
  const target = `http://127.0.0.1:${targetPort}`;
  const serve = async (name, command, args, port, signal) => {
    const child = startProcess(command, args, signal);
    stops.push(child.stop);
    await waitUp(`http://127.0.0.1:${port}/`, POKE);
    servers.push({ name, pid: child.pid, url: `http://127.0.0.1:${port}/webhooks`, runs: [] });
  };
  servers.push({ name: "target directly", pid: undefined, url: `${target}/webhooks`, runs: [] });

  const hookPort = await freePort();
  const hookArgs = [
    "listen",
    "--no-tunnel",
    "--port",
    String(hookPort),
    "--provider",
    "stripe",
    "--secret",
    SECRET,
    "--tolerance",
    "1h",
    "--forward-to",
    target,
    "--data-dir",
    join(work, ".hook"),
    // A port of its own, so two benches (or a listen already running) never share the inspector's.
    "--inspect-port",
    String(await freePort()),
  ];
  await serve("hook listen (verify + forward)", process.execPath, [BIN, ...hookArgs], hookPort);

  // --durable: every 202 waits for an fsync of the outbox; concurrent requests share one (group commit).
  const durablePort = await freePort();
  const durableArgs = [...hookArgs, "--durable"];
  durableArgs[durableArgs.indexOf("--port") + 1] = String(durablePort);
  durableArgs[durableArgs.indexOf("--data-dir") + 1] = join(work, ".hook-durable");
  durableArgs[durableArgs.indexOf("--inspect-port") + 1] = String(await freePort());
  await serve("hook listen --durable (202)", process.execPath, [BIN, ...durableArgs], durablePort);

  const referencePort = await freePort();
  const referenceArgs = ["-e", REFERENCE, String(referencePort), target, SECRET];
  await serve("reference forwarder (verify)", process.execPath, referenceArgs, referencePort);

  if (spawnSync("nginx", ["-v"]).error === undefined) {
    const nginxPort = await freePort();
    const conf = join(work, "nginx.conf");
    writeFileSync(conf, nginxConfig(nginxPort, targetPort));
    // SIGTERM, not SIGKILL: nginx's master stops its workers; killed, it would leave them behind.
    await serve(
      "nginx reverse proxy",
      "nginx",
      ["-p", work, "-c", conf, "-g", "daemon off;"],
      nginxPort,
      "SIGTERM",
    );
  }

  // BENCH_HOOK_OTHER=/path/to/bin/hook.js: another build (an older commit's worktree) in the same rounds,
  // for an A/B that the machine's other load moves alike.
  if (process.env.BENCH_HOOK_OTHER) {
    const otherPort = await freePort();
    const otherArgs = [...hookArgs];
    otherArgs[otherArgs.indexOf("--port") + 1] = String(otherPort);
    otherArgs[otherArgs.indexOf("--data-dir") + 1] = join(work, ".hook-other");
    otherArgs[otherArgs.indexOf("--inspect-port") + 1] = String(await freePort());
    await serve(
      "hook listen, BENCH_HOOK_OTHER",
      process.execPath,
      [process.env.BENCH_HOOK_OTHER, ...otherArgs],
      otherPort,
    );
  }

  for (const server of servers) await warmUp(server.url);
  // Rounds alternate between the servers, so a change in the machine's other load between rounds
  // moves all of them, and each ratio is taken within one round.
  for (let round = 0; round < ROUNDS; round += 1) {
    for (const server of servers) server.runs.push(await measure(server));
  }
  const [direct, hook, , reference] = servers;
  oneConnection.direct = await sequentialLatency(direct.url);
  oneConnection.hook = await sequentialLatency(hook.url);
  oneConnection.reference = await sequentialLatency(reference.url);
} finally {
  for (const stop of stops) await stop();
  rmSync(work, { recursive: true, force: true });
}

const [base, hook, durable, reference] = servers;
const perRound = (a, b) => median(a.runs.map((r, i) => r.rps / b.runs[i].rps));
const pad = (s, n) => String(s).padEnd(n);
const fixed = (v, digits = 0) => (v === undefined ? "-" : v.toFixed(digits));
console.log(
  `${CONNECTIONS} connections, ${ROUNDS} alternating rounds of ${DURATION}s after ${WARMUP}s of warm-up each, ` +
    `${payload.length}-byte signed Stripe event; medians (load average ${loadavg()[0].toFixed(1)})\n`,
);
console.log(
  `${pad("", 32)}${pad("req/s", 10)}${pad("x direct", 10)}${pad("p50 ms", 9)}${pad("p99 ms", 9)}${pad("CPU µs/req", 12)}errors`,
);
for (const r of servers) {
  const rps = median(r.runs.map((x) => x.rps));
  console.log(
    `${pad(r.name, 32)}${pad(Math.round(rps), 10)}${pad(perRound(r, base).toFixed(2), 10)}${pad(median(r.runs.map((x) => x.p50)), 9)}${pad(median(r.runs.map((x) => x.p99)), 9)}${pad(fixed(median(r.runs.map((x) => x.cpu))), 12)}${r.runs.reduce((n, x) => n + x.bad, 0)}`,
  );
}
if (servers.length < 5) console.log(`${pad("nginx reverse proxy", 32)}skipped: nginx is not on PATH`);
const cpuRatio = (a, b) => {
  const x = median(a.runs.map((r) => r.cpu));
  const y = median(b.runs.map((r) => r.cpu));
  return x === undefined || y === undefined ? "-" : (y / x).toFixed(2);
};
console.log(
  `\ngoal 1  hook / reference forwarder throughput: ${perRound(hook, reference).toFixed(2)}x (goal: >= 1.0x); ` +
    `as CPU per request (reference's / hook's): ${cpuRatio(hook, reference)}x`,
);
console.log(
  `goal 2  hook --durable / hook throughput: ${perRound(durable, hook).toFixed(2)}x (goal: >= 0.8x; ` +
    "bench/durable.bench.mjs measures it on its own too)",
);
const us = (v) => `${v.toFixed(0)} µs`;
const { direct, hook: h, reference: ref } = oneConnection;
console.log(`\none connection, sequential (p50 / p99):`);
console.log(`  target directly      ${us(direct.p50)} / ${us(direct.p99)}`);
console.log(
  `  hook listen          ${us(h.p50)} / ${us(h.p99)}   adds ${us(h.p50 - direct.p50)} / ${us(h.p99 - direct.p99)} (goal: p99 <= 1000 µs)`,
);
console.log(
  `  reference forwarder  ${us(ref.p50)} / ${us(ref.p99)}   adds ${us(ref.p50 - direct.p50)} / ${us(ref.p99 - direct.p99)}`,
);
const nginx = servers[4];
if (nginx)
  console.log(`\nhook / nginx throughput: ${perRound(hook, nginx).toFixed(2)}x (stretch aim: >= 0.5x)`);
