// Start-up cost of the CLI: `hook --help` and `hook --version` against a bare `node -e 0`, median of
// RUNS runs each, interleaved so that a busy moment on a shared machine hits all three alike.
// Wall time is the goal (<= 1.15x); CPU time (user + system, reported by the child itself on exit)
// is printed beside it because it moves far less when other processes compete for the cores.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const RUNS = Number(process.env.RUNS ?? 30);
const bin = fileURLToPath(new URL("../bin/hook.js", import.meta.url));
// Loaded into every case alike (the baseline too), so it adds the same small cost to each.
const reportCpu =
  'data:text/javascript,import{writeSync}from"node:fs";' +
  'process.on("exit",()=>{const u=process.cpuUsage();writeSync(3,String(u.user+u.system))})';
const cases = {
  "node -e 0": ["-e", "0"],
  "hook --version": [bin, "--version"],
  "hook --help": [bin, "--help"],
};

function timeOnce(args) {
  const start = process.hrtime.bigint();
  const result = spawnSync(process.execPath, ["--import", reportCpu, ...args], {
    stdio: ["ignore", "pipe", "pipe", "pipe"],
  });
  const wall = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0)
    throw new Error(`node ${args.join(" ")} exited ${result.status}: ${result.stderr}`);
  return { wall, cpu: Number(result.output[3]) / 1000 };
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

const samples = Object.fromEntries(Object.keys(cases).map((name) => [name, { wall: [], cpu: [] }]));
for (const args of Object.values(cases)) timeOnce(args); // warm the file cache
for (let i = 0; i < RUNS; i++) {
  for (const [name, args] of Object.entries(cases)) {
    const { wall, cpu } = timeOnce(args);
    samples[name].wall.push(wall);
    samples[name].cpu.push(cpu);
  }
}

const baseWall = median(samples["node -e 0"].wall);
const baseCpu = median(samples["node -e 0"].cpu);
console.log(`start-up, median of ${RUNS} runs (goal: wall time <= 1.15x node -e 0)`);
console.log("case              wall ms   ratio   cpu ms   ratio");
for (const [name, { wall, cpu }] of Object.entries(samples)) {
  const w = median(wall);
  const c = median(cpu);
  const verdict = name === "node -e 0" ? "" : w / baseWall <= 1.15 ? "  ok" : "  over goal";
  console.log(
    `${name.padEnd(16)} ${w.toFixed(1).padStart(8)}  ${(w / baseWall).toFixed(2)}x ${c.toFixed(1).padStart(8)}  ${(c / baseCpu).toFixed(2)}x${verdict}`,
  );
}

// `hook listen --no-tunnel`: from spawn to the port accepting connections, against a bare node:http server
// measured the same way. A cron job or a CI step that starts a listener pays this every time. Beside the
// wall time, the CPU time each had used when it called listen(): what other load moves far less.
const { spawn } = await import("node:child_process");
const { connect, createServer } = await import("node:net");
const { mkdtempSync, rmSync } = await import("node:fs");
const { tmpdir } = await import("node:os");
const { join } = await import("node:path");

const freePort = () =>
  new Promise((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

const accepts = (port) =>
  new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });

// Loaded into both alike: the CPU time the process had used when it first called listen(), on fd 3.
const reportCpuAtListen =
  'data:text/javascript,import net from"node:net";import{writeSync}from"node:fs";' +
  "const listen=net.Server.prototype.listen;let once=false;net.Server.prototype.listen=function(...a){" +
  'if(!once){once=true;const u=process.cpuUsage();writeSync(3,String(u.user+u.system)+"\\n")}' +
  "return listen.apply(this,a)}";

async function timeToAccept(argsFor) {
  const port = await freePort();
  const start = process.hrtime.bigint();
  const child = spawn(process.execPath, ["--import", reportCpuAtListen, ...argsFor(port)], {
    stdio: ["ignore", "ignore", "ignore", "pipe"],
  });
  let cpuText = "";
  child.stdio[3].on("data", (d) => {
    cpuText += d;
  });
  try {
    for (let i = 0; i < 5000; i += 1) {
      if (await accepts(port)) {
        const wall = Number(process.hrtime.bigint() - start) / 1e6;
        while (!cpuText.includes("\n")) await new Promise((r) => setTimeout(r, 1));
        return { wall, cpu: Number.parseInt(cpuText, 10) / 1000 };
      }
      await new Promise((r) => setTimeout(r, 1));
    }
    throw new Error(`nothing accepted on ${port}`);
  } finally {
    child.kill("SIGKILL");
    await new Promise((r) => (child.exitCode === null ? child.once("exit", r) : r()));
  }
}

const dataDir = mkdtempSync(join(tmpdir(), "hook-bench-startup-"));
const bare = (port) => [
  "-e",
  `require("node:http").createServer((q,s)=>s.end()).listen(${port},"127.0.0.1")`,
];
const listen = (port) => [bin, "listen", "--no-tunnel", "--port", String(port), "--data-dir", dataDir];
const ready = { bare: [], listen: [] };
const LISTEN_RUNS = Math.max(5, Math.floor(RUNS / 2));
try {
  await timeToAccept(listen); // warm the file cache
  for (let i = 0; i < LISTEN_RUNS; i++) {
    ready.bare.push(await timeToAccept(bare));
    ready.listen.push(await timeToAccept(listen));
  }
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
const ratio = (key) => median(ready.listen.map((r) => r[key])) / median(ready.bare.map((r) => r[key]));
console.log(
  `\nready to accept connections, median of ${LISTEN_RUNS} runs (goal: wall time <= 1.30x a bare node:http server)`,
);
console.log("case                       wall ms   ratio   cpu ms at listen()   ratio");
for (const [name, key] of [
  ["bare node:http server", "bare"],
  ["hook listen --no-tunnel", "listen"],
]) {
  const wall = median(ready[key].map((r) => r.wall));
  const cpu = median(ready[key].map((r) => r.cpu));
  const verdict = key === "bare" ? "" : ratio("wall") <= 1.3 ? "  ok" : "  over goal";
  const [w, c] = key === "bare" ? [1, 1] : [ratio("wall"), ratio("cpu")];
  console.log(
    `${name.padEnd(24)} ${wall.toFixed(1).padStart(8)}  ${w.toFixed(2)}x ${cpu.toFixed(1).padStart(14)}       ${c.toFixed(2)}x${verdict}`,
  );
}
