import { Exit, HookError } from "../errors.js";
import { liqpaySignature } from "../providers/liqpay.js";
import type { ApiResponse } from "./api-client.js";
import type { PollItem, Source, SourceContext } from "./types.js";

interface LiqpaySourceOptions {
  apiBase: string;
  publicKey: string;
  privateKey: string;
  /** Key that signs the delivered callbacks (LiqPay uses the private key; --secret overrides). */
  callbackKey: string;
  orders: string[];
}

/**
 * Statuses after which an order never changes again (LiqPay callback documentation). No status
 * (an order nobody has paid yet) is not one of them.
 */
export const FINAL_STATUSES: ReadonlySet<string | undefined> = new Set([
  "success",
  "failure",
  "error",
  "subscribed",
  "unsubscribed",
  "reversed",
  "sandbox",
]);

interface StatusAnswer {
  status?: string;
  result?: string;
  err_code?: string;
  err_description?: string;
}

/** data + signature, form-encoded, as LiqPay's API takes them and its callbacks send them. */
function liqpayForm(key: string, data: string): string {
  return `data=${encodeURIComponent(data)}&signature=${encodeURIComponent(liqpaySignature(key, data))}`;
}

/**
 * LiqPay has no event list: each --order's status is asked for (POST /api/request, action "status")
 * until it is final. Every change of status is delivered as the callback LiqPay sends to
 * server_url: data = base64 of the status JSON exactly as the API returned it, signed.
 */
export function liqpaySource(options: LiqpaySourceOptions): Source {
  const url = `${options.apiBase.replace(/\/+$/, "")}/api/request`;
  let finished: boolean | undefined;

  async function* pages(context: SourceContext): AsyncGenerator<PollItem[]> {
    finished = true;
    for (const order of options.orders) {
      const last = context.state.orders?.[order];
      if (FINAL_STATUSES.has(last)) continue;
      const { res, value } = await askStatus(context, order);
      if (!FINAL_STATUSES.has(value.status)) finished = false;
      if (!value.status || value.status === last) continue;
      const id = `${order}:${value.status}`;
      yield [
        {
          id,
          type: value.status,
          order,
          status: value.status,
          request: () => callback(res.body, options.callbackKey),
        },
      ];
    }
  }

  async function askStatus(context: SourceContext, order: string) {
    const json = JSON.stringify({
      action: "status",
      version: 3,
      public_key: options.publicKey,
      order_id: order,
    });
    const body = liqpayForm(options.privateKey, Buffer.from(json).toString("base64"));
    const headers = { "content-type": "application/x-www-form-urlencoded" };
    return context.api.call({ url, method: "POST", headers, body }, parseStatus, (v) => (v.status ? 1 : 0));
  }

  return { key: "orders", pages, end: () => ({ finished }) };
}

function parseStatus(res: ApiResponse): StatusAnswer {
  let answer: StatusAnswer;
  try {
    answer = JSON.parse(res.body.toString("utf8")) as StatusAnswer;
  } catch {
    throw new HookError("LiqPay API: the status answer is not JSON", { hint: "check --api-base" });
  }
  if (answer.result !== "error" || answer.status) return answer;
  const code = answer.err_code ?? "";
  // An order nobody has paid yet is not found: keep asking.
  if (/not_found/.test(code) && !/key/.test(code)) return {};
  const refused = /auth|access|sign|key/i.test(`${code} ${answer.err_description ?? ""}`);
  throw new HookError(`LiqPay API: ${code || "error"}: ${answer.err_description ?? "no description"}`, {
    exitCode: refused ? Exit.usage : Exit.failed,
    hint: refused ? "check --public-key and --api-key or LIQPAY_PRIVATE_KEY" : undefined,
  });
}

function callback(statusJson: Buffer, key: string) {
  const data = statusJson.toString("base64");
  return {
    body: Buffer.from(liqpayForm(key, data)),
    headers: { "content-type": "application/x-www-form-urlencoded" },
  };
}
