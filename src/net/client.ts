import { Agent, type Dispatcher, ProxyAgent } from "undici";
import type { NetContext } from "./errors.js";
import { type DispatchHandler, type Exchange, ExchangeHandler, type Limits } from "./exchange.js";
import { anyProxy, type ProxySettings, proxyFor, proxySettings } from "./proxy.js";

interface ClientOptions {
  /** Where HTTP_PROXY, HTTPS_PROXY and NO_PROXY are read from (the command's environment). */
  env: Record<string, string | undefined>;
  /** Connections per origin. */
  connections?: number;
  keepAliveTimeoutMs?: number;
  connectTimeoutMs?: number;
}

export interface NetRequest {
  /** "http://127.0.0.1:3000" */
  origin: string;
  /** Path and query. */
  path: string;
  method: string;
  /** Flat [name, value, ...] (repeated names kept) or a record. */
  headers?: string[] | Record<string, string>;
  body?: Uint8Array | string;
  /** Who is called, for the hints of failures: the user's app (default) or a provider's API. */
  peer?: "app" | "api";
}

interface Route {
  dispatcher: Dispatcher;
  proxy?: URL;
}

/**
 * The one way hook sends HTTP: every command's outgoing calls (poll's API and deliveries, replay,
 * trigger, check, listen's forwarder and outbox) go through a client made here, so every call has a
 * total deadline, a cap on what it reads, the proxy settings, and errors in words.
 *
 * Without a proxy variable every request goes straight to one keep-alive Agent: the proxy support
 * costs the hot path one comparison. With one, the choice is made once per origin and cached.
 */
export class HttpClient {
  private readonly direct: Agent;
  private readonly directRoute: Route;
  private readonly settings: ProxySettings | undefined;
  private readonly routes = new Map<string, Route>();
  private readonly proxies = new Map<string, ProxyAgent>();
  private readonly agentOptions: Agent.Options;
  private inFlight = 0;
  private drained: (() => void) | undefined;
  private closing: Promise<void> | undefined;

  constructor(options: ClientOptions) {
    this.agentOptions = {
      connections: options.connections ?? 256,
      keepAliveTimeout: options.keepAliveTimeoutMs ?? 4_000,
      connect: { timeout: options.connectTimeoutMs ?? 10_000 },
    };
    this.direct = new Agent(this.agentOptions);
    this.directRoute = { dispatcher: this.direct };
    const settings = proxySettings(options.env);
    this.settings = anyProxy(settings) ? settings : undefined;
  }

  /** Never rejects: a dead target, a timeout or a refused proxy is an `ok: false` exchange. */
  send(request: NetRequest, limits: Limits): Promise<Exchange> {
    const started = performance.now();
    const route = this.settings === undefined ? this.directRoute : this.route(request.origin);
    const context: NetContext = {
      origin: request.origin,
      proxy: route.proxy,
      deadlineMs: limits.deadlineMs,
      peer: request.peer,
    };
    const hasBody = request.method !== "GET" && request.method !== "HEAD";
    return new Promise((resolve) => {
      this.inFlight += 1;
      const handler = new ExchangeHandler(this, resolve, limits, context, started);
      // dispatch() throws on what undici refuses outright (a bad header value): a failed call too.
      try {
        route.dispatcher.dispatch(
          {
            origin: request.origin,
            path: request.path,
            method: request.method as Dispatcher.HttpMethod,
            headers: route.proxy ? joinRepeated(request.headers) : request.headers,
            body: hasBody ? request.body : undefined,
            // The handler's own timer is the deadline; undici's per-gap timers would only race it.
            headersTimeout: 0,
            bodyTimeout: 0,
          },
          handler as unknown as DispatchHandler,
        );
      } catch (error) {
        handler.onError(error as Error);
      }
    });
  }

  /** The proxy a request to `url` would go through (for the ready line and tests). */
  proxyOf(url: URL): URL | undefined {
    return this.settings ? proxyFor(url, this.settings) : undefined;
  }

  /**
   * Lets requests still in flight finish for up to `graceMs`, then cuts them: on Ctrl-C a target that
   * never answers must not hold hook for a whole deadline. Idempotent.
   */
  close(graceMs = 1_000): Promise<void> {
    this.closing ??= (async () => {
      if (this.inFlight > 0) {
        let timer: NodeJS.Timeout | undefined;
        await new Promise<void>((resolve) => {
          this.drained = resolve;
          timer = setTimeout(resolve, graceMs);
        });
        clearTimeout(timer);
      }
      // destroy(), not close(): undici's close() lets go of the pools it is closing, after which
      // destroy() can no longer cut what they still run. What is still in flight fails as "cut off".
      const all: Dispatcher[] = [this.direct, ...this.proxies.values()];
      await Promise.all(all.map((d) => d.destroy().catch(() => undefined)));
    })();
    return this.closing;
  }

  /** Called by each exchange once it is answered, failed or cut. */
  settled(): void {
    this.inFlight -= 1;
    if (this.inFlight === 0) this.drained?.();
  }

  private route(origin: string): Route {
    let route = this.routes.get(origin);
    if (route === undefined) {
      const proxy = proxyFor(new URL(origin), this.settings as ProxySettings);
      route = proxy ? { dispatcher: this.proxyAgent(proxy), proxy } : this.directRoute;
      this.routes.set(origin, route);
    }
    return route;
  }

  private proxyAgent(proxy: URL): ProxyAgent {
    let agent = this.proxies.get(proxy.href);
    if (agent === undefined) {
      // proxyTunnel false: plain-http targets go as absolute-form requests (GET http://host/path),
      // which every proxy takes; many allow CONNECT to port 443 only.
      agent = new ProxyAgent({ ...this.agentOptions, uri: proxy.href, proxyTunnel: false });
      this.proxies.set(proxy.href, agent);
    }
    return agent;
  }
}

/**
 * undici's ProxyAgent turns flat headers into an object, which would keep only the last of a
 * repeated name; joined with ", " they all arrive (RFC 9110 5.3).
 */
function joinRepeated(headers: NetRequest["headers"]): Record<string, string> | undefined {
  if (!Array.isArray(headers)) return headers;
  const joined: Record<string, string> = {};
  for (let i = 0; i + 1 < headers.length; i += 2) {
    const name = (headers[i] as string).toLowerCase();
    const value = headers[i + 1] as string;
    joined[name] = name in joined ? `${joined[name]}, ${value}` : value;
  }
  return joined;
}
