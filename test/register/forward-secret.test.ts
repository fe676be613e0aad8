import type { Server } from "node:http";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { findBuiltin } from "../../src/store/builtin-fixtures.js";
import { type Receiver, receiverFor, listen as serve } from "../commands/helpers/receivers.js";
import { type Listening, workDir } from "../listen/helpers.js";
import { CASES, dataDirOf } from "./helpers/cases.js";
import type { FakeApi } from "./helpers/fake-api.js";
import { listenRegistering, registerLines, until } from "./helpers/run.js";

/**
 * Stripe and Paddle hand out the endpoint's secret when hook registers it: new each run, never
 * printed, so the app behind -f cannot know it. With --forward-secret the app keeps its own.
 */
const ISSUED = [
  { name: "stripe", event: "payment_intent.succeeded", appSecret: "whsec_the_apps_stable_secret_01" },
  { name: "paddle", event: "transaction.completed", appSecret: "pdl_ntfset_the_apps_stable_01" },
];

describe.each(ISSUED)("hook listen --register --forward-secret: $name", (p) => {
  const c = CASES.find((one) => one.name === p.name) as (typeof CASES)[number];
  const body = Buffer.from(findBuiltin(p.name, p.event).fixture.body).toString();
  let work: ReturnType<typeof workDir>;
  let fake: FakeApi;
  let app: { server: Server; port: number };
  let receiver: Receiver;
  let listen: Listening | undefined;

  beforeEach(async () => {
    work = workDir();
    fake = await c.fake().start();
    receiver = receiverFor(p.name, p.appSecret, () => "");
    app = await serve(receiver.handler);
  });
  afterEach(async () => {
    await listen?.proc.stop("SIGKILL");
    listen = undefined;
    await fake.close();
    app.server.closeAllConnections();
    app.server.close();
    work.remove();
  });

  const registered = async (...args: string[]) => {
    listen = await listenRegistering(c, fake, work.dir, {
      forwardTo: `http://127.0.0.1:${app.port}${receiver.path}`,
      args,
    });
    const [line] = await registerLines(listen.proc, "registered");
    await until(() => fake.live.size === 1, "the registration at the provider");
    return c.secretOf(fake, line?.id as string);
  };
  const deliver = (secret: string) =>
    fetch(listen?.url as string, {
      method: "POST",
      headers: c.sign(body, secret, dataDirOf(work.dir)),
      body,
    });

  it("the app verifies with its own secret what the provider signed with the issued one", async () => {
    const issued = await registered("--forward-secret", p.appSecret);
    expect(issued).not.toBe(p.appSecret);
    const reply = await deliver(issued);
    expect(reply.status, await reply.text()).toBe(200);
    expect(receiver.accepted).toEqual([p.event]);
  });

  it("without it the app cannot (what users of --register hit)", async () => {
    const reply = await deliver(await registered());
    expect(reply.status).toBe(400);
    expect(receiver.accepted).toEqual([]);
  });
});
