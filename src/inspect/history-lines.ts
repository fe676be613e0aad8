/** The history file's line format: one request, or one durable delivery attempt, a line. */
import type { DeliveryRecord, RequestRecord } from "../events/types.js";
import { redactHeaders } from "../redact.js";

/** A request line and a delivery-attempt line of the history file (NDJSON, bodies in base64). */
type Line =
  | ({ t: "r"; receivedAt: string; bodyBase64: string; response?: AnswerLine } & Omit<
      RequestRecord,
      "receivedAt" | "body" | "headers" | "response"
    > & { headers: [string, string][] })
  | ({ t: "d"; n: number } & DeliveryRecord);

interface AnswerLine {
  status: number;
  headers: [string, string][];
  bodyBase64: string;
  truncated: boolean;
}

export function requestLine(r: RequestRecord): string {
  const { body, headers, response, receivedAt, ...rest } = r;
  const line: Record<string, unknown> = {
    t: "r",
    ...rest,
    receivedAt: receivedAt.toISOString(),
    headers: Object.entries(redactHeaders(headers)),
    bodyBase64: Buffer.from(body).toString("base64"),
  };
  if (response) {
    line.response = {
      status: response.status,
      headers: Object.entries(redactHeaders(response.headers)),
      bodyBase64: Buffer.from(response.body).toString("base64"),
      truncated: response.truncated,
    };
  }
  return JSON.stringify(line);
}

export function withoutTag(line: Extract<Line, { t: "d" }>): DeliveryRecord {
  const { t: _t, n: _n, ...delivery } = line;
  return delivery;
}

/** A line, when it has the shape of one (a torn last line, or a foreign one, is skipped). */
export function parseLine(text: string): Line | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== "object" || value === null) return undefined;
  const line = value as Record<string, unknown>;
  if (line.t === "d" && typeof line.n === "number" && typeof line.seq === "number") return line as Line;
  const ok =
    line.t === "r" &&
    typeof line.n === "number" &&
    typeof line.method === "string" &&
    typeof line.path === "string" &&
    typeof line.bodyBase64 === "string" &&
    Array.isArray(line.headers) &&
    !Number.isNaN(Date.parse(String(line.receivedAt)));
  return ok ? (line as Line) : undefined;
}

export function fromLine(line: Extract<Line, { t: "r" }>): RequestRecord {
  const { t: _t, bodyBase64, receivedAt, response, ...rest } = line;
  const record: RequestRecord = {
    ...rest,
    receivedAt: new Date(receivedAt),
    body: Buffer.from(bodyBase64, "base64"),
    response: undefined,
  };
  if (response && typeof response.bodyBase64 === "string") {
    record.response = {
      status: response.status,
      headers: response.headers,
      body: Buffer.from(response.bodyBase64, "base64"),
      truncated: response.truncated === true,
    };
  }
  return record;
}
