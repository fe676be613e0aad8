import { type Browser, chromium } from "playwright-core";

/** Debian's Chromium (`.ci/run` installs it): no browser is downloaded at test time. */
export const CHROMIUM = process.env.CHROMIUM_BIN ?? "/usr/bin/chromium";

/**
 * The machine has no network: without the background-networking flags Chromium floods refused
 * connections (updates, sync, safe browsing) while the tests run.
 */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    timeout: 30_000,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}
