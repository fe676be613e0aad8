#!/usr/bin/env node
// A stand-in for the cloudflared binary (no network in tests). It prints the log lines real cloudflared
// prints (design/providers.md section 15) on stderr and behaves like it on SIGINT.
// FAKE_CLOUDFLARED_MODE: success (default) | dns-fail | rate-limit | crash | named | silent | stubborn |
//   late-connect (the URL box at once, the edge connection only on SIGUSR1)
// FAKE_CLOUDFLARED_CRASH_MS: how long "crash" stays up (default 300). SIGUSR2 crashes it in any mode.
// FAKE_CLOUDFLARED_CONNECTED: a file that gets the pid when the "Registered tunnel connection" line is printed.
// FAKE_CLOUDFLARED_LOG: a file that gets one JSON line per start: {argv, token} (token: whether TUNNEL_TOKEN was set).
import { appendFileSync } from "node:fs";

const mode = process.env.FAKE_CLOUDFLARED_MODE ?? "success";
const stamp = () => new Date().toISOString().replace(/\.\d+Z$/, "Z");
const log = (level, text) => process.stderr.write(`${stamp()} ${level} ${text}\n`);

if (process.env.FAKE_CLOUDFLARED_LOG) {
  const entry = { argv: process.argv.slice(2), token: Boolean(process.env.TUNNEL_TOKEN), pid: process.pid };
  appendFileSync(process.env.FAKE_CLOUDFLARED_LOG, `${JSON.stringify(entry)}\n`);
}

function box(lines) {
  const max = Math.max(...lines.map((l) => l.length));
  const border = `+${"-".repeat(max + 4)}+`;
  log("INF", border);
  for (const line of lines) log("INF", `|  ${line.padEnd(max)}  |`);
  log("INF", border);
}

const words = ["symantec", "transferred", "lock", "revenues", "harbor", "quiet", "maple", "orbit"];
const host = `${words[process.pid % 8]}-${words[(process.pid >> 3) % 8]}-${process.pid}-tunnel.trycloudflare.com`;

function preamble() {
  log(
    "INF",
    "Thank you for trying Cloudflare Tunnel. Doing so, without a Cloudflare account, is a quick way to experiment and try it out. However, be aware that these account-less Tunnels have no uptime guarantee.",
  );
  log("INF", "Requesting new quick Tunnel on trycloudflare.com...");
}

function connected() {
  if (process.env.FAKE_CLOUDFLARED_CONNECTED)
    appendFileSync(process.env.FAKE_CLOUDFLARED_CONNECTED, `${process.pid}\n`);
  log("INF", "Generated Connector ID: 0f9a3c1e-7b2d-4c55-9e1f-2a6b8c0d4e11");
  log("INF", "Initial protocol quic");
  log(
    "INF",
    "Registered tunnel connection connIndex=0 connection=02cb73dd-a7a1-4f7d-9e19-b0ba5f6bff11 event=0 ip=198.41.200.63 location=bru01 protocol=quic",
  );
}

// "stubborn": up like success, but ignores SIGINT (only SIGKILL stops it).
process.on("SIGINT", () => {
  if (mode === "stubborn") return log("INF", "Initiating graceful shutdown due to signal interrupt ...");
  log("INF", "Initiating graceful shutdown due to signal interrupt ...");
  log("INF", "Unregistered tunnel connection connIndex=0 event=0 ip=198.41.200.63");
  process.exit(0);
});
process.on("SIGTERM", () => process.exit(0));
// SIGUSR2: die as if the edge connection broke, so a test decides when the restart (and new URL) comes.
process.on("SIGUSR2", () => {
  log(
    "ERR",
    'Connection terminated error="failed to dial to edge with quic: timeout: no recent network activity" connIndex=0',
  );
  process.exit(1);
});
// Real cloudflared outlives a parent killed with -9; the stand-in does not, so tests leave nothing behind.
const parent = process.ppid;
const stayUp = () =>
  setInterval(() => {
    if (process.ppid !== parent) process.exit(0);
  }, 200);

switch (mode) {
  case "dns-fail":
    preamble();
    process.stderr.write(
      'failed to request quick Tunnel: Post "https://api.trycloudflare.com/tunnel": dial tcp: lookup api.trycloudflare.com: no such host\n',
    );
    process.exit(1);
    break;
  case "rate-limit":
    preamble();
    log(
      "ERR",
      `Error unmarshaling QuickTunnel response: error code: 1015 error="invalid character 'e' looking for beginning of value" status_code="429 Too Many Requests"`,
    );
    process.stderr.write(
      "failed to unmarshal quick Tunnel: invalid character 'e' looking for beginning of value\n",
    );
    process.exit(1);
    break;
  case "named":
    connected();
    stayUp();
    break;
  case "silent":
    stayUp();
    break;
  default:
    preamble();
    box([
      "Your quick Tunnel has been created! Visit it at (it may take some time to be reachable):",
      `https://${host}`,
    ]);
    if (mode === "late-connect") process.on("SIGUSR1", connected);
    else connected();
    if (mode === "crash") {
      setTimeout(
        () => {
          log(
            "ERR",
            'Connection terminated error="failed to dial to edge with quic: timeout: no recent network activity" connIndex=0',
          );
          process.exit(1);
        },
        Number(process.env.FAKE_CLOUDFLARED_CRASH_MS ?? 300),
      );
    }
    stayUp();
}
