// node scripts/screenshot.mjs [out.png] [--dark]: a real run of `hook listen` (Stripe verification,
// forwarding to a small local app), a few of the shipped Stripe samples sent to it signed by the Stripe
// SDK, one with a bad signature, one duplicate and one replay from the inspector's API; then Chromium
// opens the inspector and the screenshot is taken. Needs a build (npm run build) and /usr/bin/chromium.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import Stripe from "stripe";
import { launchChromium } from "../test/helpers/chromium.mjs";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const SECRET = "whsec_screenshot_secret";
const out = process.argv.slice(2).find((a) => !a.startsWith("--")) ?? join(ROOT, "docs", "inspector.png");
const dark = process.argv.includes("--dark");
const work = mkdtempSync(join(tmpdir(), "hook-screenshot-"));

/** The app: takes every event, answers like a small Express handler would. */
const app = createServer((req, res) => {
  req.resume();
  req.on("end", () => {
    res.writeHead(req.url?.includes("refund") ? 500 : 200, { "content-type": "application/json" });
    res.end(req.url?.includes("refund") ? '{"error":"refund handler crashed"}' : '{"received":true}');
  });
});
await new Promise((resolve) => app.listen(0, "127.0.0.1", resolve));
const appUrl = `http://127.0.0.1:${app.address().port}/webhooks`;

const args = ["listen", "--no-tunnel", "--json", "--port", "0", "--inspect-port", "0", "--data-dir", work];
args.push("--provider", "stripe", "--secret", SECRET, "-f", appUrl);
const hook = spawn(process.execPath, [join(ROOT, "bin/hook.js"), ...args], {
  stdio: ["ignore", "pipe", "inherit"],
});
const ready = await new Promise((resolve, reject) => {
  let text = "";
  const timer = setTimeout(() => reject(new Error("hook listen did not get ready in 15 s")), 15_000);
  hook.stdout.setEncoding("utf8").on("data", (chunk) => {
    text += chunk;
    const line = text.split("\n").find((l) => l.includes('"kind":"ready"'));
    if (line) {
      clearTimeout(timer);
      resolve(JSON.parse(line));
    }
  });
});

async function send(name, path, { sign = true } = {}) {
  // The sample's exact body text: what Stripe would send, byte for byte.
  const fixture = JSON.parse(readFileSync(join(ROOT, "fixtures", "stripe", `${name}.json`), "utf8"));
  const payload = fixture.request.body;
  const signature = sign
    ? Stripe.webhooks.generateTestHeaderString({ payload, secret: SECRET })
    : "t=1700000000,v1=00";
  await fetch(`${ready.url}${path}`, {
    method: "POST",
    headers: {
      "content-type": "application/json; charset=utf-8",
      "stripe-signature": signature,
      "user-agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks)",
    },
    body: payload,
  });
}

let browser;
try {
  await send("payment_intent.succeeded", "/stripe");
  await send("checkout.session.completed", "/stripe");
  await send("invoice.paid", "/stripe");
  await send("charge.refunded", "/stripe/refund");
  await send("customer.subscription.deleted", "/stripe", { sign: false });
  await send("payment_intent.succeeded", "/stripe");
  await fetch(`${ready.inspectUrl}/api/requests/1/replay`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: "{}",
  });
  await send("payment_intent.payment_failed", "/stripe");

  browser = await launchChromium();
  const page = await browser.newPage({
    viewport: { width: 1680, height: 720 },
    colorScheme: dark ? "dark" : "light",
  });
  await page.goto(ready.inspectUrl);
  await page.getByRole("row", { name: /payment_intent\.payment_failed/ }).waitFor();
  await page.getByRole("row", { name: /charge\.refunded/ }).click();
  await page.getByRole("heading", { name: /^Request #4:/ }).waitFor();
  await page.getByRole("tab", { name: "Response" }).click();
  await page.getByRole("checkbox", { name: "Choose #1 for Compare" }).check();
  await page.getByRole("checkbox", { name: "Choose #4 for Compare" }).check();
  // The run line names the receiver's random port; the picture shows the default ones instead.
  await page.evaluate(() => {
    const run = document.getElementById("run");
    run.textContent = run.textContent
      .replace(/127\.0\.0\.1:\d+/, "127.0.0.1:4665")
      .replace(/127\.0\.0\.1:\d+\/webhooks/, "localhost:3000/webhooks");
  });
  await page.screenshot({ path: out });
  console.log(`wrote ${out}`);
} finally {
  await browser?.close();
  hook.kill("SIGINT");
  app.close();
  rmSync(work, { recursive: true, force: true });
}
