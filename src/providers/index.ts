import { UsageError } from "../errors.js";
import { none } from "./none.js";
import { stripe } from "./stripe.js";
import type { Provider, ProviderOptions } from "./types.js";

export type { Description, Provider, ProviderOptions, ReceivedRequest, Verdict } from "./types.js";

type Factory = (options: ProviderOptions) => Provider;

/** name -> provider. Providers that need options (hmac, paypal) are factories. */
const registry: Record<string, Factory> = {
  stripe: () => stripe,
  none: () => none,
};

export const providerNames = (): string[] => Object.keys(registry);

export function getProvider(name: string, options: ProviderOptions = {}): Provider {
  const factory = registry[name.toLowerCase()];
  if (!factory) {
    throw new UsageError(`unknown provider "${name}"`, `choose one of: ${providerNames().join(", ")}`);
  }
  return factory(options);
}
