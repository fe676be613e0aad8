import { afterEach, describe, expect, it } from "vitest";
import { launchChromium } from "../helpers/chromium.mjs";
import { startInspecting } from "../inspect/helpers.js";
import { SECRET, waitForLines } from "../listen/helpers.js";
import { API_KEY, FakeStripeEvents, reconcileSetup } from "./helpers.js";

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const step of cleanups.splice(0).reverse()) await step();
});

describe("the inspector shows what --reconcile brought", () => {
  it("a reconciled row carries the reconciled tag, in the API and on the page", async () => {
    const { api, app, work } = await reconcileSetup(cleanups, await new FakeStripeEvents().start());
    const [event] = api.add(1);
    const args = ["--provider", "stripe", "--secret", SECRET, "-f", app.url, "--reconcile", "--since", "all"];
    const hook = await startInspecting([...args, "--api-key", API_KEY, "--api-base", api.url], {
      cwd: work.dir,
    });
    cleanups.push(() => hook.proc.stop("SIGKILL"));
    await waitForLines(hook.proc, "request", 1);
    const listed = (await (await fetch(`${hook.inspectUrl}/api/requests`)).json()) as unknown;
    expect(JSON.stringify(listed)).toContain('"reconciled":true');
    const browser = await launchChromium();
    cleanups.push(() => browser.close());
    const page = await browser.newPage();
    await page.goto(hook.inspectUrl);
    const row = page.getByRole("row", { name: new RegExp(String(event?.id.slice(-6))) });
    await row.waitFor({ timeout: 15_000 });
    expect(await row.locator(".tag.reconciled").textContent()).toBe("reconciled");
  }, 60_000);
});
