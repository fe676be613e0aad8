import Stripe from "stripe";
import { afterEach, describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { type Received, Target } from "../helpers/target.js";
import { SECRET, startListen, waitForLines, workDir } from "../listen/helpers.js";
import { API_KEY, FakeStripeEvents } from "./helpers.js";

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const step of cleanups.splice(0).reverse()) await step();
});

/** Headers without what differs by design: a fresh timestamp and signature on each delivery. */
function comparable(request: Received): Record<string, unknown> {
  const { "stripe-signature": _signature, ...rest } = request.headers;
  return rest;
}

describe("hook poll and hook listen --reconcile deliver an event identically", () => {
  it("same body bytes, same headers, both signatures valid for the Stripe SDK", async () => {
    const api = await new FakeStripeEvents().start();
    const app = await new Target().start();
    const pollDir = workDir();
    const listenDir = workDir();
    cleanups.push(
      () => api.close(),
      () => app.close(),
      () => pollDir.remove(),
      () => listenDir.remove(),
    );
    const [event] = api.add(1);
    const common = ["--provider", "stripe", "--secret", SECRET, "--api-key", API_KEY, "--api-base", api.url];
    const target = `${app.url}/hooks/stripe?from=hook`;
    const poll = await runCli(["poll", ...common, "-f", target, "--once", "--since", "all"], {
      cwd: pollDir.dir,
    });
    expect(poll.code, poll.stderr).toBe(0);
    const l = await startListen([...common, "-f", target, "--reconcile", "--since", "all"], {
      cwd: listenDir.dir,
    });
    cleanups.push(() => l.proc.stop("SIGKILL"));
    await waitForLines(l.proc, "request", 1);
    await app.waitFor(2);
    const [polled, reconciled] = app.received;
    if (!polled || !reconciled) throw new Error("two deliveries expected");
    expect(reconciled.url).toBe(polled.url);
    expect(reconciled.method).toBe(polled.method);
    expect(reconciled.body.equals(polled.body)).toBe(true);
    expect(comparable(reconciled)).toEqual(comparable(polled));
    for (const request of [polled, reconciled]) {
      const verified = Stripe.webhooks.constructEvent(
        request.body,
        String(request.headers["stripe-signature"]),
        SECRET,
      );
      expect(verified.id).toBe(event?.id);
    }
  }, 30_000);
});
