import type { Provider } from "../providers/types.js";

/**
 * What verification checks against: the provider module and the secrets. Held in one place that the
 * pipeline reads on every request, so a secret that arrives while listening (the one Stripe returns
 * when `--register` creates the endpoint) is used from the next request on, with no restart.
 */
export class VerifyKeys {
  constructor(
    private current: Provider | undefined,
    private list: string[],
  ) {}

  get provider(): Provider | undefined {
    return this.current;
  }

  get secrets(): string[] {
    return this.list;
  }

  /**
   * From now on verify with these. Secrets replace the old ones (a delivery signed with anything else
   * is not from this registration); a provider replaces the module (PayPal's, made with the webhook id).
   */
  use(next: { secrets?: readonly string[]; provider?: Provider }): void {
    if (next.secrets) this.list = [...next.secrets];
    if (next.provider) this.current = next.provider;
  }
}
