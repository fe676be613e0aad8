import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from "node:http";
import { LocalServer } from "../../helpers/local-server.js";

/** One request as a stand-in API saw it. */
export interface Call {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  text: string;
  // biome-ignore lint/suspicious/noExplicitAny: the tests read the provider's documented fields
  json: any;
  form: URLSearchParams;
}

export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** What a registration looks like at the stand-in provider: what must be gone at the end. */
export interface Live {
  url: string;
  secret?: string;
  [key: string]: unknown;
}

/**
 * A stand-in provider API on 127.0.0.1: records every call, answers as the provider documents, and
 * keeps the registrations it holds in `live`. `failures` are answered first, one per call. Requests the
 * provider would send to the callback (GitHub's ping, Twitch's challenge, the WebSub GET) go to the
 * receiver, whose local URL the test gives with `receiver()`.
 */
export abstract class FakeApi extends LocalServer {
  readonly calls: Call[] = [];
  readonly failures: Reply[] = [];
  /** Calls for which the API does its work but never answers (so the caller is killed mid-call). */
  hang: (call: Call) => boolean = () => false;
  readonly live = new Map<string, Live>();
  /** Answers of the receiver to the provider's own requests (handshakes), in order. */
  readonly handshakes: { status: number; body: string }[] = [];
  private setReceiver: ((url: string) => void) | undefined;
  private receiverUrl = new Promise<string>((resolve) => {
    this.setReceiver = resolve;
  });
  /** Public hostname -> the receiver behind it then: a killed run's hostname leads nowhere. */
  private readonly hosts = new Map<string, Promise<string>>();
  private nextId = 1;

  /** The local URL of the hook run whose tunnel is up now. */
  receiver(localUrl: string): void {
    if (this.setReceiver) this.setReceiver(localUrl);
    else this.receiverUrl = Promise.resolve(localUrl);
    this.setReceiver = undefined;
  }

  protected id(prefix: string): string {
    return `${prefix}${String(this.nextId++).padStart(6, "0")}`;
  }

  protected async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString("utf8");
    const url = new URL(req.url ?? "/", "http://x");
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    const call: Call = {
      method: req.method ?? "",
      path: url.pathname,
      query: url.searchParams,
      headers: req.headers,
      text,
      json,
      form: new URLSearchParams(String(req.headers["content-type"]).includes("form") ? text : ""),
    };
    this.calls.push(call);
    const reply = this.failures.shift() ?? (await this.route(call));
    if (this.hang(call)) return;
    res.writeHead(reply.status, { "content-type": "application/json", ...reply.headers });
    res.end(
      reply.body === undefined
        ? ""
        : typeof reply.body === "string"
          ? reply.body
          : JSON.stringify(reply.body),
    );
  }

  protected abstract route(call: Call): Reply | Promise<Reply>;

  /** Sends what the provider sends to a callback, to the receiver behind the (pretend) public URL. */
  protected async toCallback(
    publicUrl: string,
    init: { method: string; headers?: Record<string, string>; body?: string },
  ) {
    const u = new URL(publicUrl);
    if (!this.hosts.has(u.host)) this.hosts.set(u.host, this.receiverUrl);
    const base = await this.hosts.get(u.host);
    // A tunnel that is gone answers nothing: status 0, as a real provider would see a failed connection.
    const answer = await fetch(`${base}${u.pathname}${u.search}`, init).then(
      async (res) => ({ status: res.status, body: await res.text() }),
      () => ({ status: 0, body: "" }),
    );
    this.handshakes.push(answer);
    return answer;
  }

  /** The calls other than token requests, as "METHOD /path". */
  lines(): string[] {
    return this.calls.filter((c) => !c.path.endsWith("/oauth2/token")).map((c) => `${c.method} ${c.path}`);
  }
}

export const bearer = (call: Call) => String(call.headers.authorization ?? "").replace(/^Bearer /, "");
