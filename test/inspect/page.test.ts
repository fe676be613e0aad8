import type { Browser, Page } from "playwright-core";
import Stripe from "stripe";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { launchChromium } from "../helpers/chromium.mjs";
import { Target } from "../helpers/target.js";
import { SECRET, stripeHeader, waitForLines, workDir } from "../listen/helpers.js";
import { type Inspecting, startInspecting } from "./helpers.js";

const event = (id: string, amount: number) =>
  `{"id":"${id}","object":"event","type":"payment_intent.succeeded","data":{"object":{"id":"pi_1","amount":${amount}}}}`;

function send(url: string, body: string, path = "/webhooks/stripe", extra: Record<string, string> = {}) {
  return fetch(`${url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", "stripe-signature": stripeHeader(body), ...extra },
    body,
  });
}

// Bounded waits for everything the page does (the suite shares two cores).
const WAIT = { timeout: 15_000 };

describe("the inspector page, in Chromium", () => {
  let browser: Browser;
  let page: Page;
  let target: Target;
  let hook: Inspecting | undefined;
  let work: ReturnType<typeof workDir>;

  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  beforeEach(async () => {
    target = await new Target().start();
    work = workDir();
    hook = await startInspecting(["--provider", "stripe", "--secret", SECRET, "-f", target.url], {
      cwd: work.dir,
    });
    page = await browser.newPage();
    page.setDefaultTimeout(WAIT.timeout);
  });

  afterEach(async () => {
    await page?.close();
    await hook?.proc.stop("SIGKILL");
    await target.close();
    work.remove();
  });

  it("shows requests live, opens one, and replays an edited body that the target's Stripe SDK verifies", async () => {
    const inspecting = hook as Inspecting;
    const asked: string[] = [];
    page.on("request", (request) => asked.push(new URL(request.url()).search));
    await page.goto(inspecting.inspectUrl);
    await expect.poll(() => page.getByRole("status").first().textContent(), WAIT).toBe("live");
    // The page asks only for what it keeps (its newest 1,000): under a burst, the rest is never sent.
    expect(asked).toContain("?batch=1&keep=1000");

    await send(inspecting.url, event("evt_page_1", 100), "/webhooks/stripe", {
      authorization: "Bearer page-secret",
    });
    await send(inspecting.url, event("evt_page_2", 200));
    const first = page.getByRole("row", { name: /evt_page_1/ });
    await first.waitFor(WAIT);
    await page.getByRole("row", { name: /evt_page_2/ }).waitFor(WAIT);
    expect(await first.textContent()).toContain("verified");

    await first.click();
    await page.getByRole("heading", { name: "Request #1: POST /webhooks/stripe" }).waitFor(WAIT);
    await page.getByRole("tab", { name: "Headers" }).click();
    const headers = page.getByRole("table", { name: "Request headers" });
    expect(await headers.getByRole("row", { name: /authorization/ }).textContent()).toContain("[redacted]");
    await page.getByRole("tab", { name: "Body" }).click();
    expect(await page.getByLabel("Request body").textContent()).toContain('"amount": 100');
    await page.getByRole("tab", { name: "Response" }).click();
    expect(await page.getByLabel("Response body").textContent()).toBe("ok");

    await page.getByRole("button", { name: "Edit and replay" }).click();
    const editor = page.getByRole("dialog", { name: "Edit and replay" });
    await editor.getByRole("textbox", { name: "Body" }).fill(event("evt_page_1", 4242));
    await editor.getByRole("button", { name: "Send replay" }).click();
    await page.getByText(/Replayed as #3: 200 forwarded/).waitFor(WAIT);

    await target.waitFor(3);
    const replayed = target.received[2];
    expect(replayed?.body.toString()).toBe(event("evt_page_1", 4242));
    const signature = String(replayed?.headers["stripe-signature"]);
    expect(signature).not.toBe(target.received[0]?.headers["stripe-signature"]);
    const verified = Stripe.webhooks.constructEvent(replayed?.body as Buffer, signature, SECRET);
    expect((verified.data.object as { amount: number }).amount).toBe(4242);
    await page.getByRole("row", { name: /replay of #1/ }).waitFor(WAIT);
  });

  it("compares two chosen requests, filters with the keyboard, and shows hostile data as text", async () => {
    const inspecting = hook as Inspecting;
    await send(inspecting.url, event("evt_cmp_1", 1));
    await send(inspecting.url, event("evt_cmp_2", 2));
    const hostile = '<img src=x onerror="window.pwned=1">';
    await send(
      inspecting.url,
      JSON.stringify({ id: "evt_x", type: hostile }),
      `/x/${encodeURIComponent(hostile)}`,
    );
    await waitForLines(inspecting.proc, "request", 3);
    await page.goto(inspecting.inspectUrl);

    const compare = page.getByRole("button", { name: "Compare" });
    await page.getByRole("row", { name: /evt_cmp_2/ }).waitFor(WAIT);
    expect(await compare.isDisabled()).toBe(true);
    await page.getByRole("checkbox", { name: "Choose #1 for Compare" }).check();
    await page.getByRole("checkbox", { name: "Choose #2 for Compare" }).check();
    expect(await compare.isEnabled()).toBe(true);
    await compare.click();
    const dialog = page.getByRole("dialog", { name: "Compare #1 and #2" });
    await dialog.getByText("Bodies: 4 line(s) differ").waitFor(WAIT);
    expect(await dialog.getByLabel("Body differences").textContent()).toContain('-       "amount": 1');
    await dialog.getByRole("button", { name: "Close" }).click();

    // Request data reaches the DOM only as text: the markup shows literally and never runs.
    expect(await page.getByRole("row", { name: /evt_x/ }).textContent()).toContain(hostile);
    expect(await page.locator("tbody img").count()).toBe(0);
    expect(await page.evaluate("typeof window.pwned")).toBe("undefined");

    await page.locator("body").press("/");
    expect(
      await page
        .getByRole("searchbox", { name: "Filter" })
        .evaluate((box) => box === box.ownerDocument.activeElement),
    ).toBe(true);
    await page.keyboard.type("evt_cmp_1");
    await expect.poll(() => page.locator("#requests tbody tr").count(), WAIT).toBe(1);
    await page.getByRole("searchbox", { name: "Filter" }).fill("");
    await expect.poll(() => page.locator("#requests tbody tr").count(), WAIT).toBe(3);
    // Escape leaves the filter box; j and k move through the list from there.
    await page.keyboard.press("Escape");
    await page.keyboard.press("j");
    await page.getByRole("heading", { name: /^Request #3:/ }).waitFor(WAIT);
    await page.keyboard.press("j");
    await page.getByRole("heading", { name: /^Request #2:/ }).waitFor(WAIT);
    await page.keyboard.press("k");
    await page.getByRole("heading", { name: /^Request #3:/ }).waitFor(WAIT);
  });
});
