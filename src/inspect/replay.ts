import { randomUUID } from "node:crypto";
import { curlCommand } from "../commands/sign-curl.js";
import { UsageError } from "../errors.js";
import type { RequestRecord } from "../events/types.js";
import type { Provider } from "../providers/types.js";
import type { Incoming } from "../receive/pipeline.js";
import type { Reply } from "../receive/replies.js";
import { REDACTED, redactHeaders } from "../redact.js";
import { buildRequest, type OutgoingRequest } from "../replay/build.js";
import { prepareJobs } from "../replay/prepare.js";
import type { LoadedFixture } from "../store/fixture-reader.js";

/** "Edit and replay": each field replaces the recorded one; `headers` is the whole new set. */
export interface ReplayEdit {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: string;
  bodyBase64?: string;
}

export interface ReplayerOptions {
  /** listen's --provider: it signs the replay, with the first --secret, as `hook replay` would. */
  provider?: Provider;
  secrets: string[];
  /** The receiver's own URL: replays go through the pipeline, as if the provider had sent them. */
  receiverUrl: string;
  now: () => Date;
  handle: (incoming: Incoming, onRecord: (record: RequestRecord) => void) => Promise<Reply>;
}

const METHOD = /^[A-Za-z]{1,20}$/;

/**
 * Replays from the inspector: the recorded request (or its edit) becomes a fixture, and `hook replay`'s
 * own preparation and builder sign it afresh (new timestamp, new delivery id where the provider keeps
 * one). It then goes through the receiver's pipeline: verified, shown, forwarded to --forward-to (or
 * queued with --durable), and recorded with `replayOf`.
 */
export class Replayer {
  private readonly to: URL;

  constructor(private readonly options: ReplayerOptions) {
    this.to = new URL(options.receiverUrl);
  }

  async send(record: RequestRecord, edit: ReplayEdit = {}): Promise<RequestRecord> {
    const request = this.build(record, edit, true);
    const url = new URL(request.url);
    let done: RequestRecord | undefined;
    await this.options.handle(
      {
        method: request.method,
        path: `${url.pathname}${url.search}`,
        // The Host a sender to the receiver would send: a scheme that signs the URL (Twilio) checks it.
        headers: [["host", url.host], ...Object.entries(request.headers)],
        body: request.body,
        receivedAt: this.options.now(),
        replayOf: record.n,
      },
      (finished) => {
        done = finished;
      },
    );
    if (!done) throw new Error("the replay produced no record");
    return done;
  }

  /** A curl command that sends the same bytes, freshly signed, to the receiver. Secrets stay redacted. */
  curl(record: RequestRecord, edit: ReplayEdit = {}): string {
    const request = this.build(record, edit, false);
    return curlCommand({
      url: request.url,
      method: request.method,
      headers: redactHeaders(Object.entries(request.headers)),
      contentType: request.headers["content-type"] ?? "application/octet-stream",
      body: request.body,
    });
  }

  /** `reveal`: keep recorded secret headers (sent in-process), else they are left out (shown to people). */
  private build(record: RequestRecord, edit: ReplayEdit, reveal: boolean): OutgoingRequest {
    const o = this.options;
    const fixture = fixtureOf(record, edit, reveal, o.provider);
    const [job] = prepareJobs({
      fixtures: [fixture],
      override: o.provider,
      providerOptions: {},
      secrets: o.secrets,
      edits: [],
      now: o.now(),
    }).jobs;
    if (!job) throw new UsageError(`request #${record.n} cannot be replayed`);
    return buildRequest({
      fixture: job.fixture,
      provider: job.provider,
      alsoDrop: job.alsoDrop,
      secret: job.secret,
      to: this.to,
      extraHeaders: [],
      now: o.now(),
      deliveryId: job.deliveryId ?? randomUUID(),
    });
  }
}

function fixtureOf(
  record: RequestRecord,
  edit: ReplayEdit,
  reveal: boolean,
  provider: Provider | undefined,
): LoadedFixture {
  const method = edit.method ?? record.method;
  if (!METHOD.test(method)) throw new UsageError(`method ${JSON.stringify(method)} is not an HTTP method`);
  const path = edit.path ?? record.path;
  if (!path.startsWith("/")) throw new UsageError(`path ${JSON.stringify(path)} must start with /`);
  return {
    file: `request #${record.n}`,
    provider: provider?.name,
    event: record.event,
    id: record.eventId,
    method: method.toUpperCase(),
    path,
    headers: headersOf(record, edit.headers, reveal),
    body: bodyOf(record, edit),
    bare: false,
  };
}

/**
 * The recorded headers, or the edited set. A header the page showed as "[redacted]" and the edit left
 * alone keeps its recorded value when `reveal`; otherwise the builder leaves it out.
 */
function headersOf(
  record: RequestRecord,
  edited: Record<string, string> | undefined,
  reveal: boolean,
): Record<string, string> {
  const recorded: Record<string, string> = {};
  for (const [name, value] of record.headers) recorded[name.toLowerCase()] = value;
  const source = edited ?? recorded;
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(source)) {
    if (typeof value !== "string") throw new UsageError(`header ${name}: the value must be a string`);
    const key = name.toLowerCase();
    const kept = value === REDACTED ? recorded[key] : value;
    headers[key] = reveal && kept !== undefined ? kept : value;
  }
  return reveal ? headers : redactHeaders(Object.entries(headers));
}

function bodyOf(record: RequestRecord, edit: ReplayEdit): Uint8Array {
  if (edit.bodyBase64 !== undefined) return Buffer.from(edit.bodyBase64, "base64");
  if (edit.body !== undefined) return Buffer.from(edit.body, "utf8");
  return record.body;
}
