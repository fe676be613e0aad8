/** An answer to the sender. */
export interface Reply {
  status: number;
  headers: [string, string][];
  body: Uint8Array | string;
}

const JSON_TYPE: [string, string] = ["content-type", "application/json; charset=utf-8"];

export function jsonReply(status: number, value: Record<string, unknown>): Reply {
  return { status, headers: [JSON_TYPE], body: JSON.stringify(value) };
}

/** 401/413/502/504/500: `{error, reason}`, so the sender's log (and its retry) says why. */
export function errorReply(status: number, error: string, reason: string): Reply {
  return jsonReply(status, { error, reason });
}
