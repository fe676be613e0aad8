import { join } from "node:path";
import Stripe from "stripe";
import { getProvider } from "../../../src/providers/index.js";
import { paypalProvider } from "../../../src/providers/paypal.js";
import type { FakeApi } from "./fake-api.js";
import {
  FakeGithub,
  FakeHub,
  FakePaddle,
  FakePaypal,
  FakeStripe,
  FakeTelegram,
  FakeTwitch,
} from "./fake-providers.js";

/** One provider's --register set-up: its stand-in API, flags, credentials and how a delivery is signed. */
export interface Case {
  name: string;
  fake: () => FakeApi;
  args: string[];
  env: (fake: FakeApi) => Record<string, string>;
  /** The variable a 401 must name. */
  keyVariable: string;
  /** The secret (or PayPal's webhook id) deliveries to the registration are signed with. */
  secretOf: (fake: FakeApi, id: string) => string;
  /** Headers for `body`, signed with `secret`, as the provider would send them. */
  sign: (body: string, secret: string, dataDir: string) => Record<string, string>;
  body: string;
  /** PayPal's "secret" is the webhook id, which is no secret and is shown. */
  secretShown?: true;
  /** The handshake the provider sends on creation, answered through the receiver. */
  handshake?: "ping" | "challenge" | "get";
}

const now = () => new Date();
const ours = (name: string) => (body: string, secret: string) =>
  getProvider(name).sign({
    body: Buffer.from(body),
    secret,
    timestamp: now(),
    deliveryId: `d-${Date.now()}`,
  });
const liveSecret = (fake: FakeApi, id: string) => fake.live.get(id)?.secret ?? "";

export const CASES: Case[] = [
  {
    name: "stripe",
    fake: () => new FakeStripe(),
    args: ["--provider", "stripe"],
    env: (f) => ({ STRIPE_API_KEY: (f as FakeStripe).key }),
    keyVariable: "STRIPE_API_KEY",
    secretOf: liveSecret,
    sign: (payload, secret) => ({
      "stripe-signature": Stripe.webhooks.generateTestHeaderString({ payload, secret }),
      "content-type": "application/json",
    }),
    body: '{"id":"evt_reg_1","object":"event","type":"payment_intent.succeeded","data":{"object":{}}}',
  },
  {
    name: "github",
    fake: () => new FakeGithub(),
    args: ["--provider", "github", "--repo", "octo/hello"],
    env: (f) => ({ GITHUB_TOKEN: (f as FakeGithub).key }),
    keyVariable: "GITHUB_TOKEN",
    secretOf: liveSecret,
    sign: (body, secret) => ({
      ...ours("github")(body, secret),
      "x-github-event": "push",
      "content-type": "application/json",
    }),
    body: '{"ref":"refs/heads/main","after":"abc"}',
    handshake: "ping",
  },
  {
    name: "telegram",
    fake: () => new FakeTelegram(),
    args: ["--provider", "telegram"],
    env: (f) => ({ TELEGRAM_BOT_TOKEN: (f as FakeTelegram).key }),
    keyVariable: "TELEGRAM_BOT_TOKEN",
    secretOf: (f) => (f as FakeTelegram).webhook.secret ?? "",
    sign: (body, secret) => ({ ...ours("telegram")(body, secret), "content-type": "application/json" }),
    body: '{"update_id":10001,"message":{"message_id":1,"text":"hi"}}',
  },
  {
    name: "twitch",
    fake: () => new FakeTwitch(),
    args: [
      "--provider",
      "twitch",
      "--type",
      "channel.follow",
      "--type-version",
      "2",
      "--condition",
      '{"broadcaster_user_id":"1234","moderator_user_id":"1234"}',
    ],
    env: (f) => ({
      TWITCH_CLIENT_ID: (f as FakeTwitch).key,
      TWITCH_CLIENT_SECRET: (f as FakeTwitch).clientSecret,
    }),
    keyVariable: "TWITCH_CLIENT_ID",
    secretOf: liveSecret,
    sign: (body, secret) => ({ ...ours("twitch")(body, secret), "content-type": "application/json" }),
    body: '{"subscription":{"type":"channel.follow","version":"2"},"event":{"user_id":"42"}}',
    handshake: "challenge",
  },
  {
    name: "websub",
    fake: () => new FakeHub(),
    args: [
      "--provider",
      "websub",
      "--topic",
      "https://www.youtube.com/xml/feeds/videos.xml?channel_id=UCfake",
    ],
    env: () => ({}),
    keyVariable: "",
    secretOf: (f) => [...f.live.values()][0]?.secret ?? "",
    sign: (body, secret) => ({ ...ours("websub")(body, secret), "content-type": "application/atom+xml" }),
    body: "<feed><entry><id>yt:video:abc</id><yt:videoId>abc</yt:videoId><title>t</title></entry></feed>",
    handshake: "get",
  },
  {
    name: "paypal",
    fake: () => new FakePaypal(),
    args: ["--provider", "paypal"],
    env: (f) => ({
      PAYPAL_CLIENT_ID: (f as FakePaypal).key,
      PAYPAL_CLIENT_SECRET: (f as FakePaypal).clientSecret,
    }),
    keyVariable: "PAYPAL_CLIENT_ID",
    // Verification needs the webhook id PayPal returned; deliveries are signed with the local test key.
    secretOf: (_f, id) => id,
    secretShown: true,
    sign: (body, webhookId, dataDir) => ({
      ...paypalProvider({ webhookId, dataDir }).sign({
        body: Buffer.from(body),
        secret: "",
        timestamp: now(),
      }),
      "content-type": "application/json",
    }),
    body: '{"id":"WH-REG-1","event_type":"PAYMENT.CAPTURE.COMPLETED","resource":{}}',
  },
  {
    name: "paddle",
    fake: () => new FakePaddle(),
    args: ["--provider", "paddle"],
    env: (f) => ({ PADDLE_API_KEY: (f as FakePaddle).key }),
    keyVariable: "PADDLE_API_KEY",
    secretOf: liveSecret,
    sign: (body, secret) => ({ ...ours("paddle")(body, secret), "content-type": "application/json" }),
    body: '{"event_id":"evt_01reg","event_type":"transaction.completed","data":{}}',
  },
];

export const dataDirOf = (dir: string) => join(dir, ".hook");
