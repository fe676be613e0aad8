import { readFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { errorMessage, StartError } from "../errors.js";
import type { ApiDeps } from "./api.js";
import { refusal, SAFE_HEADERS, sendJson } from "./guard.js";

/**
 * The page's files, served from the package itself (no CDN, no build step: it works offline). They
 * are plain browser modules in the package's `inspector/` folder, read as they are (the package ships
 * no sources, so not under src/); from `dist/inspect/` that is two folders up.
 */
const PAGE_DIR = new URL("../../inspector/", import.meta.url);
const TYPES: Record<string, string> = {
  html: "text/html; charset=utf-8",
  js: "text/javascript; charset=utf-8",
  css: "text/css; charset=utf-8",
  svg: "image/svg+xml",
};
/** A page file: a plain name, no folders, so no path can leave the page folder. */
const ASSET = /^\/([a-z-]+)\.(js|css|svg)$/;

function assetOf(path: string): { file: string; type: string } | undefined {
  if (path === "/" || path === "/index.html") return { file: "index.html", type: TYPES.html as string };
  const match = ASSET.exec(path);
  return match ? { file: `${match[1]}.${match[2]}`, type: TYPES[match[2] as string] as string } : undefined;
}

/** The inspector always binds loopback: it is never reachable from the network or the tunnel. */
const INSPECT_HOST = "127.0.0.1";
/** A taken default port moves this far at most before a free port is picked at random. */
const NEXT_PORTS = 20;

interface InspectorServer {
  url: string;
  port: number;
  /** Set when the default port was taken and another one is used. */
  note?: string;
  close(): Promise<void>;
}

export async function startInspectorServer(
  api: ApiDeps,
  port: number,
  explicit: boolean,
): Promise<InspectorServer> {
  let bound = 0;
  const server = createServer((req, res) => {
    void servePageOrApi(req, res, api, bound).catch(() => res.destroy());
  });
  // The page keeps its event stream open: no idle cut-off on it, but bounded header time for everyone.
  server.requestTimeout = 0;
  server.headersTimeout = 10_000;
  bound = await bind(server, port, explicit);
  const note = bound !== port && port !== 0 ? `port ${port} was taken` : undefined;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${INSPECT_HOST}:${bound}`,
    port: bound,
    note,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

/** One request to the inspector: Host/Origin checked, then its JSON API or a file of the page. */
async function servePageOrApi(
  req: IncomingMessage,
  res: ServerResponse,
  api: ApiDeps,
  port: number,
): Promise<void> {
  const refused = refusal(req, port);
  if (refused) {
    sendJson(res, 403, { error: refused });
    return;
  }
  const path = (req.url ?? "/").split("?")[0] as string;
  if (path.startsWith("/api/")) {
    // The API (and the replay code under it) loads on the first call: `hook listen` starts faster.
    const { routeApi } = await import("./api.js");
    if (!(await routeApi(api, req, res))) sendJson(res, 404, { error: `no such API: ${path}` });
    return;
  }
  const asset = assetOf(path);
  const body =
    asset && (req.method === "GET" || req.method === "HEAD") ? await readAsset(asset.file) : undefined;
  if (!asset || !body) {
    sendJson(res, 404, { error: `nothing at ${path}` });
    return;
  }
  res.writeHead(200, { ...SAFE_HEADERS, "content-type": asset.type, "content-length": body.length });
  res.end(req.method === "HEAD" ? undefined : body);
}

async function readAsset(file: string): Promise<Buffer | undefined> {
  try {
    return await readFile(new URL(file, PAGE_DIR));
  } catch {
    return undefined;
  }
}

/** Binds `port`; a taken default moves on to the next ports, then to any free one; a taken explicit port fails. */
async function bind(server: Server, port: number, explicit: boolean): Promise<number> {
  const next = [...Array(NEXT_PORTS).keys()].map((i) => port + i).filter((p) => p <= 65_535);
  const tries = explicit || port === 0 ? [port] : [...next, 0];
  for (const candidate of tries) {
    try {
      await listenOnce(server, candidate);
      return (server.address() as AddressInfo).port;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === "EADDRINUSE" && !explicit && candidate !== 0) continue;
      const why = code === "EADDRINUSE" ? "is already in use" : `cannot be used: ${errorMessage(error)}`;
      throw new StartError(
        `listen: inspector port ${candidate} on ${INSPECT_HOST} ${why}`,
        "pick another with --inspect-port (0 picks a free one), or turn it off with --no-inspect",
      );
    }
  }
  throw new StartError("listen: no free port for the inspector", "pass --inspect-port or --no-inspect");
}

function listenOnce(server: Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => reject(error);
    server.once("error", onError);
    server.listen(port, INSPECT_HOST, () => {
      server.off("error", onError);
      resolve();
    });
  });
}
