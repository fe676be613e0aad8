import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { startControl } from "../deliver/control.js";
import { Forwarder } from "../deliver/forward.js";
import { Journal } from "../deliver/journal.js";
import { acquireDataDirLock } from "../deliver/lock.js";
import { Outbox } from "../deliver/outbox.js";
import { forwardResigner, signer } from "../deliver/resign.js";
import { ThreadSender } from "../deliver/sender.js";
import { Exit, errorMessage, HookError, StartError, UsageError } from "../errors.js";
import { EventBus } from "../events/types.js";
import { getProvider } from "../providers/index.js";
import type { Provider, ProviderOptions } from "../providers/types.js";
import { SeenIds } from "../receive/dedupe.js";
import { eventFilter } from "../receive/filter.js";
import { VerifyKeys } from "../receive/keys.js";
import { type Incoming, Pipeline } from "../receive/pipeline.js";
import type { Receiver } from "../receive/server.js";
import { saveFolder } from "../store/builtin-fixtures.js";
import { TunnelSupervisor } from "../tunnel/supervisor.js";
import type { Io } from "../ui/io.js";
import { Output } from "../ui/output.js";
import { parseSchedule } from "../units.js";
import { forwardSecretFrom, providerFrom, providerOptionsFrom, requireSecrets } from "./common.js";
import type { ListenOptions } from "./listen-flags.js";
import { type InspectorStart, openInspector } from "./listen-inspect.js";
import { reconcileSetup } from "./listen-reconcile.js";
import { checkRegisterFlags, openRegistration, type RegisterPlan, registerPlan } from "./listen-register.js";
import { ListenRenderer } from "./listen-render.js";
import { portOption, positiveDurationOption, secondsOption, urlOption } from "./values.js";

/** Requests in flight and the delivery in progress get this long to finish on Ctrl-C. */
const GRACE_MS = 3_000;

interface Settings {
  port: number;
  host: string;
  forwardTo?: URL;
  provider?: Provider;
  providerOptions: ProviderOptions;
  secrets: string[];
  /** --forward-secret: what is forwarded is signed again with it (the app's own secret). */
  forwardSecret?: string;
  toleranceSeconds?: number;
  filter?: (type: string | undefined) => boolean;
  saveDir?: string;
  durable: boolean;
  retry: number[];
  giveUpAfterMs: number;
  timeoutMs: number;
  maxBody: number;
  tunnel: boolean;
  dataDir: string;
  /** Undefined with --no-inspect. */
  inspect?: { port: number; explicit: boolean };
  register?: RegisterPlan;
}

/** The receiver listen.ts bound before this module loaded (see bindEarly there). */
export interface EarlyReceiver {
  port: number;
  maxBody: number;
  receiver: Promise<Receiver>;
  /** Requests held so far, and every later one, go to this. */
  serve(handle: (incoming: Incoming) => ReturnType<Pipeline["handle"]>): void;
  /** Listen did not start: held requests get an error, the port is closed. */
  abandon(): Promise<void>;
}

function settingsFrom(options: ListenOptions, io: Io, early: EarlyReceiver): Settings {
  checkRegisterFlags(options);
  const register = options.register === true ? registerPlan(options, io) : undefined;
  const provider = options.provider ? providerFrom(options, register?.placeholder) : undefined;
  // With --register the secret is the one hook gives the provider, or the one the provider returns.
  const secrets = register ? register.secrets : provider ? requireSecrets(options, provider) : [];
  const forwardTo = options.forwardTo ? urlOption(options.forwardTo, "--forward-to") : undefined;
  const durable = options.durable === true;
  if (durable && !forwardTo) {
    throw new UsageError("--durable needs --forward-to", "the outbox delivers to that URL");
  }
  const forwardSecret = forwardSecretFrom(options, provider);
  if (forwardSecret !== undefined && !forwardTo) {
    throw new UsageError("--forward-secret needs --forward-to", "it signs what hook forwards there");
  }
  const timeoutMs = positiveDurationOption(options.timeout, "--timeout", "30s");
  const giveUpAfterMs = positiveDurationOption(options.giveUpAfter, "--give-up-after", "24h");
  return {
    port: early.port,
    host: options.host,
    forwardTo,
    provider,
    providerOptions: providerOptionsFrom(options),
    secrets,
    forwardSecret,
    toleranceSeconds: secondsOption(options.tolerance, "--tolerance"),
    filter: eventFilter(options.events),
    saveDir: options.save ? saveFolder(options.save, io.cwd) : undefined,
    durable,
    retry: parseSchedule(options.retry, "--retry"),
    giveUpAfterMs,
    timeoutMs,
    maxBody: early.maxBody,
    tunnel: options.tunnel,
    dataDir: resolve(io.cwd, options.dataDir),
    inspect: !options.inspect
      ? undefined
      : {
          port: portOption(options.inspectPort ?? "4666", "--inspect-port"),
          explicit: options.inspectPort !== undefined,
        },
    register,
  };
}

/** http://127.0.0.1:PORT for the wildcard binds: the tunnel and the user reach it through loopback. */
function localUrl(host: string, port: number): string {
  const local = host === "0.0.0.0" || host === "::" || host === "" ? "127.0.0.1" : host;
  return `http://${local.includes(":") ? `[${local}]` : local}:${port}`;
}

function prepareDataDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (error) {
    throw new StartError(
      `listen: cannot create the data dir ${dir}: ${errorMessage(error)}`,
      "pass --data-dir",
    );
  }
}

/** The rest of hook listen, once listen.ts has bound the port. */
export async function serveListen(options: ListenOptions, io: Io, early: EarlyReceiver): Promise<number> {
  const settings = settingsFrom(options, io, early);
  const out = new Output(io, options);
  // `hook listen --json | head -1`: a closed pipe must not take the receiver (and its outbox) down.
  io.stdout.on("error", () => undefined);
  const bus = new EventBus();
  bus.on(new ListenRenderer(out).handle);
  const checked = settings.secrets.map((secret): [string, string] => ["--secret", secret]);
  if (settings.forwardSecret) checked.push(["--forward-secret", settings.forwardSecret]);
  for (const [flag, secret] of checked) {
    const hint = settings.provider?.checkSecret?.(secret);
    if (hint) bus.emit({ kind: "warning", message: `${flag}: ${hint}` });
  }
  let ready = false;
  bus.on((event) => {
    if (event.kind === "ready") ready = true;
  });
  const cleanup: Cleanup = [];
  try {
    prepareDataDir(settings.dataDir);
    return await receiveUntilInterrupted(settings, options, io, bus, cleanup, early);
  } catch (error) {
    throw ready ? error : cannotStart(error);
  } finally {
    for (const step of cleanup.reverse()) await step();
  }
}

type Cleanup = (() => Promise<void> | void)[];

/** Exit codes that already say why listen did not start: bad flags (2), and another run's lock (75). */
const KEPT: readonly number[] = [Exit.usage, Exit.cannotStart, Exit.lockHeld];

/**
 * Whatever stops listen before it is ready (a read-only or full data dir, a broken journal, a port in
 * use) is "could not start", exit 3, as documented; bad flags and config keep their exit 2, and a
 * reconcile source another listen holds keeps poll's 75 (cron-like callers try again).
 */
function cannotStart(error: unknown): HookError {
  if (error instanceof HookError && KEPT.includes(error.exitCode)) return error;
  const message = errorMessage(error);
  const hint = error instanceof HookError ? error.hint : undefined;
  return new StartError(message.startsWith("listen") ? message : `listen: ${message}`, hint, error);
}

/** The lock, the journal (with what is still pending), the worker that drains it and its control socket. */
async function openOutbox(settings: Settings, target: URL, io: Io, bus: EventBus, cleanup: Cleanup) {
  cleanup.push(acquireDataDirLock(settings.dataDir, "listen.lock", "listen --durable"));
  const { journal, pending, failures, damaged } = await Journal.open(settings.dataDir);
  cleanup.push(() => journal.close());
  if (damaged > 0) {
    bus.emit({ kind: "warning", message: `${damaged} unreadable line(s) in ${journal.path} were skipped` });
  }
  // --forward-secret: every attempt signed with the app's secret; else afresh with the provider's.
  const secret = settings.forwardSecret ?? settings.secrets[0];
  const resignAll = settings.forwardSecret !== undefined;
  const sender = new ThreadSender({
    target: target.href,
    timeoutMs: settings.timeoutMs,
    provider: settings.provider?.name,
    providerOptions: settings.providerOptions,
    secret,
    resignAll,
    env: io.env,
  });
  cleanup.push(() => sender.close());
  const outbox = new Outbox({
    journal,
    send: sender.send,
    schedule: settings.retry,
    giveUpAfterMs: settings.giveUpAfterMs,
    deadDir: join(settings.dataDir, "dead"),
    signer: signer(settings.provider, secret, resignAll),
    emit: (event) => bus.emit(event),
    initial: pending,
    failures,
  });
  cleanup.push(() => outbox.stop(GRACE_MS));
  cleanup.push(await startControl(settings.dataDir, outbox));
  return { journal, outbox };
}

/** What the inspector needs once the receiver it replays through is up. */
function inspectorStart(
  settings: Settings,
  io: Io,
  receiverUrl: string,
  pipeline: Pipeline,
  outbox: Outbox | undefined,
  keys: VerifyKeys,
): InspectorStart {
  const { port, explicit } = settings.inspect as NonNullable<Settings["inspect"]>;
  return {
    port,
    explicitPort: explicit,
    // Read at each replay: --register swaps in the secret (and PayPal's module) the provider returned.
    get provider() {
      return keys.provider;
    },
    get secrets() {
      return keys.secrets;
    },
    receiverUrl,
    now: io.now,
    handle: (incoming, onRecord) => pipeline.handle(incoming, onRecord),
    saveDir: settings.saveDir,
    outbox,
    info: {
      provider: settings.provider?.name ?? null,
      forwardTo: settings.forwardTo?.href ?? null,
      durable: outbox !== undefined,
      save: settings.saveDir !== undefined,
      receiver: receiverUrl,
    },
  };
}

function openTunnel(url: string, options: ListenOptions, io: Io, bus: EventBus, cleanup: Cleanup) {
  const supervisor = new TunnelSupervisor(url, {
    explicitBin: options.cloudflared,
    token: options.tunnelToken,
    env: io.env,
    emit: (record) => bus.emit({ kind: "tunnel", record }),
    reachable: options.register === true ? {} : undefined,
  });
  supervisor.start();
  // Pushed last, so closed first: no new requests arrive through it while the rest shuts down.
  cleanup.push(() => supervisor.close());
  return supervisor;
}

/** Starts every part listen was asked for, reports ready, and receives until Ctrl-C. */
async function receiveUntilInterrupted(
  settings: Settings,
  options: ListenOptions,
  io: Io,
  bus: EventBus,
  cleanup: Cleanup,
  early: EarlyReceiver,
): Promise<number> {
  const interrupted = io.interrupted;
  const { provider, forwardSecret } = settings;
  const resign = provider && forwardSecret ? forwardResigner(provider, forwardSecret, io.now) : undefined;
  const forwarder = settings.forwardTo
    ? new Forwarder(settings.forwardTo, settings.timeoutMs, io.env, resign)
    : undefined;
  if (forwarder) cleanup.push(() => forwarder.close());
  const durable =
    settings.durable && settings.forwardTo
      ? await openOutbox(settings, settings.forwardTo, io, bus, cleanup)
      : undefined;
  let tunnel: TunnelSupervisor | undefined;
  // Before the receiver, so it records from the first request; closed after it, so it keeps the last.
  const inspector = settings.inspect ? await openInspector(settings.dataDir, bus) : undefined;
  if (inspector) cleanup.push(() => inspector.close());
  const keys = new VerifyKeys(settings.provider, settings.secrets);
  const { register } = settings;
  const registration =
    register && (await openRegistration(register, options, keys, settings.dataDir, bus, io));
  const seen = new SeenIds(settings.dataDir);
  const reconciler = reconcileSetup(options, io, { ...settings, provider: settings.provider?.name, bus });
  // Stopped before the receiver and the forwarder close, so a reconciled delivery in flight can end.
  if (reconciler) cleanup.push(() => reconciler.stop());
  // Runs after the receiver has closed (cleanup goes in reverse): the last requests' ids are in it.
  cleanup.push(() => seen.flush());
  const pipeline = new Pipeline({
    provider: settings.provider,
    describer: settings.provider ?? getProvider("none"),
    keys,
    answersHandshakes: Boolean(register),
    toleranceSeconds: settings.toleranceSeconds,
    filter: settings.filter,
    forwarder,
    durable,
    saveDir: settings.saveDir,
    seen,
    maxBody: settings.maxBody,
    now: io.now,
    tunnelUrl: () => tunnel?.url,
    bus,
    firstNumber: inspector?.firstNumber,
    gate: reconciler?.gate,
    confirm: reconciler?.confirm,
  });
  const receiver = await early.receiver;
  early.serve((incoming) => pipeline.handle(incoming));
  cleanup.push(() => receiver.close(GRACE_MS));
  const url = localUrl(settings.host, receiver.port);
  const pending = () => durable?.outbox.pending ?? 0;
  const inspect = await inspector?.start(inspectorStart(settings, io, url, pipeline, durable?.outbox, keys));
  const { forwardTo, dataDir } = settings;
  bus.emit({
    kind: "ready",
    localUrl: url,
    host: settings.host,
    port: receiver.port,
    provider: settings.provider?.name,
    saveDir: settings.saveDir,
    forwardTo: forwardTo?.href,
    resigned: settings.forwardSecret ? true : undefined,
    durable: Boolean(durable),
    pending: pending(),
    dataDir,
    inspectUrl: inspect?.url,
    inspectNote: inspect?.note,
  });
  durable?.outbox.start();
  // Listening before the tunnel starts, which may fail at once; stopped before it closes (pushed after
  // it): WebSub's hub checks the unsubscribe through the tunnel.
  const unregister = registration?.(settings.tunnel);
  reconciler?.start(pipeline);
  if (settings.tunnel) tunnel = openTunnel(url, options, io, bus, cleanup);
  if (unregister) cleanup.push(unregister);
  await interrupted;
  bus.emit({ kind: "stopping", inFlight: receiver.inFlight(), pending: pending() });
  return Exit.interrupted;
}
