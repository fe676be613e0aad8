import { createHash } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { LocalServer } from "../../helpers/local-server.js";

/**
 * A stand-in for LiqPay's POST /api/request (action "status"): a form with data (base64 JSON) and
 * signature = base64(sha1(private_key + data + private_key)), checked as LiqPay documents; answers
 * the order's current status, or LiqPay-style errors.
 */
export class FakeLiqpayApi extends LocalServer {
  readonly statuses = new Map<string, string>();
  readonly requests: Record<string, unknown>[] = [];
  /** The exact bytes of the last answer per order, to compare with what was delivered. */
  readonly answers = new Map<string, string>();

  constructor(
    readonly publicKey: string,
    readonly privateKey: string,
  ) {
    super();
  }

  protected async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const form = new URLSearchParams(Buffer.concat(chunks).toString("utf8"));
    const data = form.get("data") ?? "";
    const expected = createHash("sha1")
      .update(this.privateKey + data + this.privateKey)
      .digest("base64");
    const request = JSON.parse(Buffer.from(data, "base64").toString("utf8") || "{}") as Record<
      string,
      unknown
    >;
    this.requests.push(request);
    const send = (body: string) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(body);
    };
    if (request.public_key !== this.publicKey)
      return send(
        '{"result":"error","err_code":"public_key_not_found","err_description":"public_key not found"}',
      );
    if (form.get("signature") !== expected)
      return send('{"result":"error","err_code":"err_signature","err_description":"invalid signature"}');
    const order = String(request.order_id);
    const status = this.statuses.get(order);
    if (request.action !== "status" || request.version !== 3)
      return send('{"result":"error","err_code":"err_action"}');
    if (!status)
      return send('{"result":"error","err_code":"payment_not_found","err_description":"payment not found"}');
    const body = `{"result":"ok","payment_id":1650${order.length},"action":"pay","status":"${status}","version":3,"type":"buy","amount":3.0,"currency":"UAH","description":"тест","order_id":"${order}","public_key":"${this.publicKey}"}`;
    this.answers.set(order, body);
    send(body);
  }
}
