import "@shopify/shopify-api/adapters/node";
import { createServer, type IncomingMessage, type RequestListener, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createNodeMiddleware, Webhooks } from "@octokit/webhooks";
import { Paddle } from "@paddle/paddle-node-sdk";
import { ApiVersion, LogSeverity, shopifyApi } from "@shopify/shopify-api";
import { ExpressReceiver, App as SlackApp } from "@slack/bolt";
import express from "express";
import { Bot, webhookCallback } from "grammy";
import { Webhook as StandardWebhook } from "standardwebhooks";
import Stripe from "stripe";
import { Webhook as SvixWebhook } from "svix";
import twilio from "twilio";

/**
 * A webhook endpoint built the way each provider's own receiving library documents it. `accepted`
 * names what the library handed over (an event name, an id), so a test sees the library took it.
 */
export interface Receiver {
  path: string;
  handler: RequestListener;
  accepted: string[];
}

function rawBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

/** A handler that reads the raw body, calls `check` and answers 200, or 400 with the library's words. */
function plain(check: (body: string, req: IncomingMessage) => Promise<string> | string, accepted: string[]) {
  return (async (req, res) => {
    try {
      accepted.push(await check(await rawBody(req), req));
      res.writeHead(200).end("ok");
    } catch (error) {
      res.writeHead(400).end(String((error as Error).message));
    }
  }) as RequestListener;
}

const headerOf = (req: IncomingMessage, name: string) => String(req.headers[name] ?? "");

export function receiverFor(provider: string, secret: string, url: () => string): Receiver {
  const accepted: string[] = [];
  const path = "/hooks";
  switch (provider) {
    case "github": {
      const webhooks = new Webhooks({ secret });
      webhooks.onAny((event) => void accepted.push(event.name));
      return { path, accepted, handler: createNodeMiddleware(webhooks, { path }) as RequestListener };
    }
    case "stripe": {
      const app = express();
      app.post(path, express.raw({ type: "application/json" }), (req, res) => {
        try {
          const event = Stripe.webhooks.constructEvent(req.body, headerOf(req, "stripe-signature"), secret);
          accepted.push(event.type);
          res.sendStatus(200);
        } catch (error) {
          res.status(400).send(`Webhook Error: ${(error as Error).message}`);
        }
      });
      return { path, accepted, handler: app };
    }
    case "slack": {
      const receiver = new ExpressReceiver({ signingSecret: secret, endpoints: path });
      const app = new SlackApp({
        receiver,
        token: "xoxb-hook-test",
        tokenVerificationEnabled: false,
        botId: "B0HOOK",
        botUserId: "U0HOOK",
      });
      app.event("message", async ({ event }) => void accepted.push(event.type));
      return { path, accepted, handler: receiver.app };
    }
    case "telegram": {
      const bot = new Bot("123456:hook-test-token", {
        botInfo: {
          id: 123456,
          is_bot: true,
          first_name: "hook",
          username: "hook_test_bot",
          can_join_groups: true,
          can_read_all_group_messages: false,
          supports_inline_queries: false,
          can_connect_to_business: false,
          has_main_web_app: false,
          has_topics_enabled: false,
          allows_users_to_create_topics: false,
          can_manage_bots: false,
          supports_join_request_queries: false,
        },
      });
      bot.on("message", (ctx) => void accepted.push(String(ctx.update.update_id)));
      return {
        path,
        accepted,
        handler: webhookCallback(bot, "http", { secretToken: secret }) as RequestListener,
      };
    }
    case "standard":
      return {
        path,
        accepted,
        handler: plain((body, req) => {
          new StandardWebhook(secret).verify(body, req.headers as Record<string, string>);
          return headerOf(req, "webhook-id");
        }, accepted),
      };
    case "svix":
      return {
        path,
        accepted,
        handler: plain((body, req) => {
          new SvixWebhook(secret).verify(body, req.headers as Record<string, string>);
          return headerOf(req, "svix-id");
        }, accepted),
      };
    case "paddle": {
      const paddle = new Paddle("pdl_sdbx_apikey_hooktest");
      return {
        path,
        accepted,
        handler: plain(async (body, req) => {
          const event = await paddle.webhooks.unmarshal(body, secret, headerOf(req, "paddle-signature"));
          return event.eventType;
        }, accepted),
      };
    }
    case "twilio": {
      const app = express();
      app.post(path, express.urlencoded({ extended: false }), (req, res) => {
        const ok = twilio.validateRequest(secret, headerOf(req, "x-twilio-signature"), url(), req.body);
        if (ok) accepted.push(String(req.body.MessageSid));
        res.sendStatus(ok ? 200 : 403);
      });
      return { path, accepted, handler: app };
    }
    case "shopify": {
      const api = shopifyApi({
        apiKey: "key",
        apiSecretKey: secret,
        scopes: [],
        hostName: "localhost",
        apiVersion: ApiVersion.October25,
        isEmbeddedApp: false,
        logger: { level: LogSeverity.Error, log: async () => {} },
      });
      return {
        path,
        accepted,
        handler: (async (req, res) => {
          const body = await rawBody(req);
          const result = await api.webhooks.validate({ rawBody: body, rawRequest: req, rawResponse: res });
          if (result.valid) accepted.push(result.topic);
          res.writeHead(result.valid ? 200 : 401).end(JSON.stringify(result));
        }) as RequestListener,
      };
    }
    default:
      throw new Error(`no receiving library for ${provider}`);
  }
}

export async function listen(handler: RequestListener): Promise<{ server: Server; port: number }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, port: (server.address() as AddressInfo).port };
}
