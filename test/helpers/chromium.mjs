// Chromium for the inspector's browser tests and scripts/screenshot.mjs: one launch, so both run the
// same browser with the same flags. JavaScript (not TypeScript) so the script can load it unbuilt.
import { chromium } from "playwright-core";

/** Debian's Chromium (`.ci/run` installs it): no browser is downloaded at test time. */
const CHROMIUM = process.env.CHROMIUM_BIN ?? "/usr/bin/chromium";

/**
 * The machine has no network: without the background-networking flags Chromium floods refused
 * connections (updates, sync, safe browsing) while the tests run.
 */
const FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** Headless Chromium with those flags, bounded by `timeout` ms to start. */
export function launchChromium(timeout = 30_000) {
  return chromium.launch({ executablePath: CHROMIUM, timeout, args: FLAGS });
}
