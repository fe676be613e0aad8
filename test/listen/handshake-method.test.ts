import { request } from "undici";
import { afterEach, describe, expect, it } from "vitest";
import { Target } from "../helpers/target.js";
import { startListen, workDir } from "./helpers.js";

describe("handshakes are POSTs", () => {
  const cleanup: (() => Promise<unknown> | unknown)[] = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });

  // A GET that looks like a Slack or Twitch handshake must not pass as an unsigned one and reach the app:
  // through the tunnel, that would expose every GET route of the local app without a signature.
  it.each([
    ["slack", "/admin/users?ssl_check=1", {}, "ssl_check=1"],
    [
      "twitch",
      "/admin/users",
      { "twitch-eventsub-message-type": "webhook_callback_verification" },
      '{"challenge":"x"}',
    ],
  ])(
    "%s: a GET dressed as a handshake is verified like any request, and rejected",
    async (provider, path, headers, body) => {
      const target = await new Target().start();
      cleanup.push(() => target.close());
      const work = workDir();
      cleanup.push(() => work.remove());
      const listen = await startListen(
        ["--provider", provider, "--secret", "a-secret-of-some-length", "-f", target.url],
        {
          cwd: work.dir,
        },
      );
      cleanup.push(() => listen.proc.stop());
      const answer = await request(`${listen.url}${path}`, { method: "GET", headers, body });
      await answer.body.text();
      expect(answer.statusCode).toBe(401);
      expect(target.received).toHaveLength(0);
    },
  );
});
