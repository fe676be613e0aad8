import type { Browser } from "playwright-core";

/** Headless Debian Chromium with the flags an offline machine needs (see chromium.mjs). */
export function launchChromium(timeout?: number): Promise<Browser>;
