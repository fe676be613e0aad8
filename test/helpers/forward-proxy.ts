import { readFileSync } from "node:fs";
import { createServer, type IncomingMessage, request, type Server } from "node:http";
import { type AddressInfo, connect, type Socket } from "node:net";
import { createServer as createTlsServer, type Server as TlsServer } from "node:tls";

/** What the proxy carried: an absolute-form request ("POST http://app.test:1234/x") or a CONNECT. */
export interface Carried {
  method: string;
  /** The absolute URL, or host:port for CONNECT. */
  target: string;
  /** The Proxy-Authorization it was given, if any. */
  auth?: string;
}

/**
 * A forward proxy on 127.0.0.1, as a corporate network has: absolute-form GET/POST for http:// and
 * CONNECT tunnels for https://. Names under `.test` resolve to 127.0.0.1 here only, so a request
 * that reaches one of them proves it went through this proxy (hook itself cannot resolve them).
 */
export class ForwardProxy {
  readonly carried: Carried[] = [];
  /** When set, anything without this exact Proxy-Authorization gets 407. */
  requireAuth?: string;
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();

  constructor() {
    this.server = createServer((req, res) => {
      if (!this.admit(req)) {
        res.writeHead(407, { "proxy-authenticate": 'Basic realm="test"' }).end();
        return;
      }
      const url = new URL(req.url ?? "/");
      const upstream = request(
        {
          host: resolve(url.hostname),
          port: url.port,
          method: req.method,
          path: `${url.pathname}${url.search}`,
          headers: withoutProxyHeaders(req),
        },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      upstream.on("error", () => res.writeHead(502).end());
      req.pipe(upstream);
    });
    this.server.on("connect", (req: IncomingMessage, client: Socket, head: Buffer) =>
      this.tunnel(req, client, head),
    );
    this.server.on("connection", (socket: Socket) => this.track(socket));
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async start(): Promise<this> {
    await new Promise<void>((r) => this.server.listen(0, "127.0.0.1", r));
    return this;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  private admit(req: IncomingMessage): boolean {
    const auth = req.headers["proxy-authorization"];
    this.carried.push({ method: req.method ?? "", target: req.url ?? "", auth });
    return this.requireAuth === undefined || auth === this.requireAuth;
  }

  private tunnel(req: IncomingMessage, client: Socket, head: Buffer): void {
    this.track(client);
    client.on("error", () => {});
    if (!this.admit(req)) {
      client.end(
        'HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="test"\r\n\r\n',
      );
      return;
    }
    const [host = "", port = "443"] = (req.url ?? "").split(":");
    const upstream = connect(Number(port), resolve(host), () => {
      client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    this.track(upstream);
    upstream.on("error", () => client.end("HTTP/1.1 502 Bad Gateway\r\n\r\n"));
  }

  private track(socket: Socket): void {
    this.sockets.add(socket);
    socket.on("close", () => this.sockets.delete(socket));
  }
}

function resolve(host: string): string {
  return host.endsWith(".test") ? "127.0.0.1" : host;
}

function withoutProxyHeaders(req: IncomingMessage): Record<string, string | string[] | undefined> {
  const headers = { ...req.headers };
  delete headers["proxy-authorization"];
  delete headers["proxy-connection"];
  return headers;
}

const TLS_DIR = new URL("./tls/", import.meta.url);
/** A certificate for api.test, app.test, localhost and 127.0.0.1 (valid 2000-2099), trusted through NODE_EXTRA_CA_CERTS. */
export const TEST_CA_FILE = new URL("test-cert.pem", TLS_DIR).pathname;

/** https:// in front of a plain-http stand-in: decrypts and passes the bytes on to `backendPort`. */
export class TlsFront {
  private readonly server: TlsServer;
  private readonly sockets = new Set<Socket>();

  constructor(backendPort: number) {
    this.server = createTlsServer(
      { key: readFileSync(new URL("test-key.pem", TLS_DIR)), cert: readFileSync(TEST_CA_FILE) },
      (secure) => {
        const backend = connect(backendPort, "127.0.0.1");
        for (const socket of [secure, backend]) {
          this.sockets.add(socket);
          socket.on("error", () => {});
          socket.on("close", () => this.sockets.delete(socket));
        }
        secure.pipe(backend).pipe(secure);
      },
    );
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  async start(): Promise<this> {
    await new Promise<void>((r) => this.server.listen(0, "127.0.0.1", r));
    return this;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}
