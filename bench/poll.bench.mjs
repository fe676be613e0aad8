// hook poll catch-up: N events from a stand-in Stripe API (newest-first pages of 100, as Stripe
// lists) with --since all, delivered to a local target. Measures API calls (expected ceil(N/100)+1),
// wall time and the poller's peak RSS at 10,000 and 50,000 events. The baseline, measured in the same
// run, is a naive poller that walks the list, keeps every event in memory, then posts them: same
// API, same target. RSS should stay flat for hook as N grows (it streams page by page).
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const BIN = fileURLToPath(new URL("../bin/hook.js", import.meta.url));
const SIZES = (process.env.POLL_BENCH_SIZES ?? "10000,50000").split(",").map(Number);

function makeEvents(n) {
  // Oldest first; about 600 bytes each, like a small payment_intent event.
  return Array.from({ length: n }, (_, i) => ({
    id: `evt_${String(i).padStart(8, "0")}`,
    object: "event",
    api_version: "2024-06-20",
    created: 1_700_000_000 + i,
    type: i % 3 === 0 ? "charge.succeeded" : "payment_intent.succeeded",
    livemode: false,
    pending_webhooks: 1,
    request: { id: `req_${i}`, idempotency_key: `ik_${i}` },
    data: {
      object: {
        id: `pi_${i}`,
        object: "payment_intent",
        amount: 1000 + i,
        currency: "eur",
        status: "succeeded",
        metadata: { order: `order-${i}`, note: "x".repeat(200) },
      },
    },
  }));
}

function stripeApi(events) {
  const position = new Map(events.map((e, i) => [e.id, i]));
  let calls = 0;
  const server = createServer((req, res) => {
    calls += 1;
    const url = new URL(req.url, "http://x");
    const limit = Math.min(100, Number(url.searchParams.get("limit") ?? 10));
    const before = url.searchParams.get("ending_before");
    const after = url.searchParams.get("starting_after");
    // Work in oldest-first indexes; answer newest first.
    let lo;
    let hi;
    if (before) {
      lo = position.get(before) + 1;
      hi = Math.min(events.length, lo + limit);
    } else {
      hi = after ? position.get(after) : events.length;
      lo = Math.max(0, hi - limit);
    }
    const data = events.slice(lo, hi).reverse();
    const hasMore = before ? hi < events.length : lo > 0;
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ object: "list", url: "/v1/events", has_more: hasMore, data }));
  });
  return { server, calls: () => calls };
}

function target() {
  let count = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      count += 1;
      res.writeHead(200);
      res.end("ok");
    });
  });
  return { server, count: () => count };
}

const listen = (server) =>
  new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server.address().port)));
const close = (server) =>
  new Promise((resolve) => {
    server.closeAllConnections();
    server.close(resolve);
  });

/** Runs node with an exit hook that writes the process's peak RSS (kB) to a file. */
function runNode(args, cwd, env = {}) {
  const rssFile = join(cwd, "rss.txt");
  const hook = `data:text/javascript,${encodeURIComponent(`import { writeFileSync } from "node:fs"; process.on("exit", () => writeFileSync(${JSON.stringify(rssFile)}, String(process.resourceUsage().maxRSS)));`)}`;
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, ["--import", hook, ...args], {
      cwd,
      env: { PATH: process.env.PATH, NO_COLOR: "1", ...env },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    child.on("error", reject);
    child.on("close", (code) => {
      const ms = performance.now() - started;
      if (code !== 0) return reject(new Error(`exit ${code}: ${stderr.slice(-500)}`));
      resolve({ ms, rssMb: Number(readFileSync(rssFile, "utf8")) / 1024 });
    });
  });
}

// The naive poller: walk back through every page, hold all events, then post them oldest first,
// with the same HTTP client as hook (undici), so the time ratio is about the design, not the client.
const UNDICI = JSON.stringify(fileURLToPath(new URL("../node_modules/undici/index.js", import.meta.url)));
const NAIVE = `
const { request } = await import(${UNDICI});
const [api, to] = process.argv.slice(1);
const all = [];
let after = "";
for (;;) {
  const page = await (await request(api + "/v1/events?limit=100" + after)).body.json();
  all.push(...page.data);
  if (!page.has_more) break;
  after = "&starting_after=" + page.data.at(-1).id;
}
for (const event of all.reverse()) {
  const res = await request(to, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(event, null, 2) });
  await res.body.dump();
}
`;

async function measure(n, runners = ["naive", "hook"], nodeFlags = []) {
  const events = makeEvents(n);
  const results = {};
  for (const who of runners) {
    const api = stripeApi(events);
    const sink = target();
    const apiPort = await listen(api.server);
    const targetPort = await listen(sink.server);
    const cwd = mkdtempSync(join(tmpdir(), "hook-poll-bench-"));
    const apiUrl = `http://127.0.0.1:${apiPort}`;
    const to = `http://127.0.0.1:${targetPort}/hooks`;
    try {
      const args =
        who === "hook"
          ? [
              ...nodeFlags,
              BIN,
              "poll",
              "--provider",
              "stripe",
              "--api-base",
              apiUrl,
              "-f",
              to,
              "--secret",
              "whsec_bench",
              "--once",
              "--since",
              "all",
            ]
          : ["--input-type=module", "-e", NAIVE, apiUrl, to];
      const run = await runNode(args, cwd, { STRIPE_API_KEY: "sk_test_bench" });
      if (sink.count() !== n) throw new Error(`${who}: target got ${sink.count()} of ${n}`);
      results[who] = { ...run, calls: api.calls() };
    } finally {
      await close(api.server);
      await close(sink.server);
      rmSync(cwd, { recursive: true, force: true });
    }
  }
  return results;
}

const baselineNode = await runNode(["-e", "0"], mkdtempSync(join(tmpdir(), "hook-poll-bench-")));
const rows = [];
for (const n of SIZES) {
  const r = await measure(n);
  rows.push({ n, ...r });
}
const pad = (s, w) => String(s).padStart(w);
console.log(`node -e 0 peak RSS: ${baselineNode.rssMb.toFixed(0)} MB`);
console.log(
  `${pad("events", 7)} ${pad("hook calls", 10)} ${pad("expected", 8)} ${pad("hook s", 7)} ${pad("naive s", 7)} ${pad("time ×", 6)} ${pad("hook MB", 7)} ${pad("naive MB", 8)} ${pad("ev/s", 6)}`,
);
for (const { n, hook, naive } of rows) {
  console.log(
    `${pad(n, 7)} ${pad(hook.calls, 10)} ${pad(Math.ceil(n / 100) + 1, 8)} ${pad((hook.ms / 1000).toFixed(1), 7)} ${pad((naive.ms / 1000).toFixed(1), 7)} ${pad((hook.ms / naive.ms).toFixed(2), 6)} ${pad(hook.rssMb.toFixed(0), 7)} ${pad(naive.rssMb.toFixed(0), 8)} ${pad(Math.round(n / (hook.ms / 1000)), 6)}`,
  );
}
// Peak RSS includes garbage V8 has not collected yet; capping the old space shows what is live.
if (process.env.POLL_BENCH_CAPPED) {
  const n = SIZES.at(-1);
  const capped = await measure(n, ["hook"], ["--max-old-space-size=48"]);
  console.log(
    `hook with --max-old-space-size=48 at ${n}: ${(capped.hook.ms / 1000).toFixed(1)} s, peak RSS ${capped.hook.rssMb.toFixed(0)} MB`,
  );
}
if (rows.length > 1) {
  const [a, b] = [rows[0], rows.at(-1)];
  console.log(
    `peak RSS growth ${a.n} -> ${b.n} events: hook ×${(b.hook.rssMb / a.hook.rssMb).toFixed(2)}, naive ×${(b.naive.rssMb / a.naive.rssMb).toFixed(2)}`,
  );
}
