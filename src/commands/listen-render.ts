import { deliveryJson, requestJson } from "../events/json.js";
import type { DeliveryRecord, ListenEvent, RequestRecord, TunnelRecord } from "../events/types.js";
import { redactUrl } from "../redact.js";
import { plain } from "../tunnel/log.js";
import { answerSnippet } from "../ui/answer.js";
import { escapeControl } from "../ui/escape.js";
import type { LineBatch } from "../ui/line-batch.js";
import type { Output, Spinner } from "../ui/output.js";
import { formatDuration } from "../units.js";
import { renderReconcile } from "./listen-reconcile-render.js";
import { renderRegister } from "./register-render.js";

type Ready = Extract<ListenEvent, { kind: "ready" }>;

const WILDCARDS = new Set(["0.0.0.0", "::", ""]);
const LOOPBACK = /^(127\.|::1$|localhost$)/;

/** What --host means for who can send: a person binding 0.0.0.0 by accident should see it at once. */
function reach(host: string): string {
  if (WILDCARDS.has(host)) return "every interface: reachable from the network";
  if (LOOPBACK.test(host)) return "this machine only";
  return "reachable from the network at this address";
}

function hostPort(host: string, port: number): string {
  const name = WILDCARDS.has(host) ? (host === "" ? "0.0.0.0" : host) : host;
  return `${name.includes(":") ? `[${name}]` : name}:${port}`;
}

/** Local wall-clock time: what a person compares with their app's log. */
function clock(date: Date): string {
  const two = (n: number) => String(n).padStart(2, "0");
  return `${two(date.getHours())}:${two(date.getMinutes())}:${two(date.getSeconds())}`;
}

function shortId(id: string | undefined): string {
  if (!id) return "";
  return id.length > 16 ? `${id.slice(0, 6)}…${id.slice(-6)}` : id;
}

function ms(value: number): string {
  return formatDuration(Math.max(0, value));
}

/** The terminal subscriber: one human line per event on stderr, or NDJSON on stdout with --json. */
export class ListenRenderer {
  private spinner: Spinner | undefined;
  /**
   * Request lines, and --durable's delivery lines, come at the rate requests do: on a pipe or a file
   * they are written together once the event loop has handled what was ready (one write for all the
   * requests answered in that turn, not one each). Every other line flushes them first, so the order
   * on the stream is the order of events.
   */
  private readonly batch: LineBatch;

  constructor(private readonly out: Output) {
    this.batch = out.batch(0);
  }

  /** Writes the lines held back: before a caller writes lines of its own after these. */
  flush(): void {
    this.batch.flush();
  }

  readonly handle = (event: ListenEvent): void => {
    if (event.kind === "request") {
      this.batch.add(
        this.out.json
          ? this.out.jsonText({ kind: "request", ...requestJson(event.record) })
          : this.out.human(this.requestLine(event.record)),
      );
      return;
    }
    if (event.kind === "delivery") {
      this.batch.add(
        this.out.json
          ? this.out.jsonText({ kind: "delivery", ...deliveryJson(event.record) })
          : this.out.human(this.deliveryLine(event.record)),
      );
      return;
    }
    this.batch.flush();
    switch (event.kind) {
      case "ready": {
        const { kind: _k, localUrl, forwardTo, ...rest } = event;
        this.out.data("ready", { url: localUrl, ...rest, forwardTo });
        this.ready(event);
        return;
      }
      case "reconcile":
        renderReconcile(this.out, event.event);
        return;
      case "dead": {
        const { kind: _k, ...rest } = event;
        this.out.data("dead", rest);
        this.out.line(this.deadLine(event));
        return;
      }
      case "tunnel":
        this.out.data("tunnel", { ...event.record });
        this.tunnel(event.record);
        return;
      case "register":
        renderRegister(this.out, event.record);
        return;
      case "warning":
        this.out.data("warning", { message: event.message });
        this.out.warn(escapeControl(event.message));
        return;
      case "stopping":
        this.spinner?.stop();
        this.out.data("stopping", { inFlight: event.inFlight, pending: event.pending });
        this.out.line(
          this.out.color.dim(
            `stopping${event.inFlight ? `: finishing ${event.inFlight} request(s)` : ""}${event.pending ? `; ${event.pending} pending delivery(ies) stay on disk for the next start` : ""}`,
          ),
        );
        return;
    }
  };

  /** The ready block: what is bound and who can reach it, what is verified, where things go. */
  private ready(event: Ready): void {
    const c = this.out.color;
    const indent = "       ";
    const bound = `http://${hostPort(event.host, event.port)}`;
    this.out.line(`${c.green("ready")}  listening on ${c.bold(bound)} (${reach(event.host)})`);
    if (bound !== event.localUrl) this.out.line(`${indent}on this machine: ${event.localUrl}`);
    this.out.line(
      event.provider && event.provider !== "none"
        ? `${indent}verifying ${event.provider} signatures`
        : `${indent}${c.yellow("not verifying signatures")} (no --provider): every request is accepted`,
    );
    if (event.forwardTo) {
      const resigned = event.resigned ? " (signed again with --forward-secret)" : "";
      this.out.line(`${indent}forwarding to ${event.forwardTo}${resigned}`);
    }
    if (event.saveDir) this.out.line(`${indent}saving every request to ${event.saveDir}`);
    if (event.durable) this.out.line(`${indent}durable outbox in ${event.dataDir}: ${event.pending} pending`);
    if (event.inspectUrl) {
      const note = event.inspectNote ? c.dim(` (${event.inspectNote})`) : "";
      this.out.line(`${indent}inspect ${c.bold(event.inspectUrl)}${note}`);
    }
  }

  private requestLine(r: RequestRecord): string {
    const c = this.out.color;
    // Everything here but the numbers came from the sender: escaped, so it is shown and never obeyed.
    const what =
      escapeControl([r.event, shortId(r.eventId ?? r.deliveryId)].filter(Boolean).join(" ")) || c.dim("-");
    const verdict = !r.verification
      ? c.dim("unverified")
      : r.verification.ok
        ? c.green("verified")
        : c.red(`invalid: ${escapeControl(r.verification.reason)}`);
    const outcome = this.outcome(r);
    const dup = `${r.reconciled ? ` ${c.cyan("reconciled")}` : ""}${r.duplicate ? ` ${c.yellow("duplicate")}` : ""}`;
    const said = r.targetStatus === undefined ? undefined : answerSnippet(r.targetStatus, r.response?.body);
    const answer = said ? `  ${c.dim("answer:")} ${said}` : "";
    // A log file's lines carry a full timestamp already (Output.stamped); a terminal gets the time of day.
    const time = this.out.stamped ? "" : `${c.dim(clock(r.receivedAt))} `;
    const path = escapeControl(redactUrl(r.path));
    return `${time}${escapeControl(r.method)} ${path}  ${what}  ${verdict}  ${outcome}${dup}  ${c.dim(ms(r.latencyMs))}${answer}`;
  }

  private outcome(r: RequestRecord): string {
    const c = this.out.color;
    const status = (s: number) =>
      s < 300 ? c.green(String(s)) : s < 500 ? c.yellow(String(s)) : c.red(String(s));
    switch (r.outcome) {
      case "forwarded":
        return `-> ${status(r.status)}`;
      case "queued":
        return `queued #${r.seq} (202)`;
      case "filtered":
        return c.dim("filtered (200)");
      case "handshake":
        return `handshake answered (${r.status})`;
      case "accepted":
        return "200";
      case "already-delivered":
        return c.dim("200, the app has it already");
      case "too-large":
        return c.red("413 too large");
      default:
        return c.red(
          `${r.status} ${r.outcome}${r.error && r.outcome !== "rejected" ? `: ${escapeControl(r.error)}` : ""}`,
        );
    }
  }

  private deliveryLine(d: DeliveryRecord): string {
    const c = this.out.color;
    const what = escapeControl([d.event, shortId(d.eventId)].filter(Boolean).join(" "));
    const head = `  ${c.dim("outbox")} #${d.seq}${what ? ` ${what}` : ""}`;
    if (d.ok)
      return `${head} ${c.green(`delivered ${d.status}`)} ${c.dim(`attempt ${d.attempt}, ${ms(d.latencyMs)}, ${d.pending} pending`)}`;
    const why = d.status !== undefined ? `target answered ${d.status}` : escapeControl(d.error ?? "");
    return `${head} ${c.red(`failed: ${why}`)} ${c.dim(`attempt ${d.attempt}, retry in ${ms(d.retryInMs ?? 0)}, ${d.pending} pending`)}`;
  }

  private deadLine(d: Extract<ListenEvent, { kind: "dead" }>): string {
    const c = this.out.color;
    const what = escapeControl([d.event, shortId(d.eventId)].filter(Boolean).join(" "));
    return `  ${c.dim("outbox")} #${d.seq}${what ? ` ${what}` : ""} ${c.red.bold(`DEAD: ${d.reason}`)}; saved as ${d.file} (hook replay sends it), ${d.pending} pending`;
  }

  private tunnel(t: TunnelRecord): void {
    const c = this.out.color;
    if (t.state !== "installing") this.spinner?.stop();
    switch (t.state) {
      case "installing":
        this.spinner = this.out.spinner("downloading cloudflared (first use)…");
        return;
      case "up":
        if (!t.url) {
          this.out.line(`${c.green("tunnel")} named tunnel connected (its hostname is set in Cloudflare)`);
          return;
        }
        this.out.line(`${c.green("tunnel")} public URL: ${c.bold.cyan(t.url)}`);
        this.out.line(
          c.dim("       a quick tunnel's URL changes every run; --tunnel-token gives a stable hostname"),
        );
        return;
      case "failed":
        this.out.line(
          `${c.yellow("tunnel")} not available: ${escapeControl(t.reason ?? "")}; still listening locally`,
        );
        // The reason already quotes cloudflared's key line; show the lines before it for context.
        for (const line of (t.tail ?? [])
          .map(plain)
          .filter((l) => !t.reason?.includes(l))
          .slice(-2)) {
          this.out.line(c.dim(`       cloudflared said: ${escapeControl(line)}`));
        }
        if (t.hint) this.out.line(`hint: ${t.hint}`);
        return;
      case "down":
        this.out.line(`${c.yellow("tunnel")} down: ${escapeControl(t.reason ?? "")}`);
        return;
      case "restarting":
        this.out.line(c.dim(`tunnel restarting in ${ms(t.retryInMs ?? 0)}`));
        return;
      default:
        return;
    }
  }
}
