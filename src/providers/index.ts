import { UsageError } from "../errors.js";
import { github } from "./github.js";
import { hmacProvider, hmacShape } from "./hmac.js";
import { liqpay } from "./liqpay.js";
import { none } from "./none.js";
import { paddle } from "./paddle.js";
import { paypalCheck, paypalProvider } from "./paypal.js";
import { shopify } from "./shopify.js";
import { slack } from "./slack.js";
import { standard, svix } from "./standard.js";
import { stripe } from "./stripe.js";
import { telegram } from "./telegram.js";
import { twilioProvider } from "./twilio.js";
import { twitch } from "./twitch.js";
import type { Provider, ProviderOptions } from "./types.js";
import { METHODS, websubProvider } from "./websub.js";

export type { ProviderOptions } from "./types.js";

interface Entry {
  /** Makes the provider; never throws, so `hook providers` can list every one without options. */
  create: (options: ProviderOptions) => Provider;
  /** Options the provider cannot work without: a UsageError naming the flag. */
  check?: (options: ProviderOptions) => void;
}

const fixed = (provider: Provider): Entry => ({ create: () => provider });

const registry: Record<string, Entry> = {
  stripe: fixed(stripe),
  github: fixed(github),
  shopify: fixed(shopify),
  slack: fixed(slack),
  standard: fixed(standard),
  // Same scheme as standard, but sign() emits Svix's svix-* header names.
  svix: fixed(svix),
  twilio: {
    create: twilioProvider,
    check: ({ algorithm }) => {
      if (algorithm && !["sha1", "sha256"].includes(algorithm.toLowerCase())) {
        throw new UsageError(`--algorithm: "${algorithm}" is not sha1 or sha256 (Twilio)`);
      }
    },
  },
  twitch: fixed(twitch),
  websub: {
    create: websubProvider,
    check: ({ algorithm }) => {
      if (algorithm && !METHODS.includes(algorithm.toLowerCase() as never)) {
        throw new UsageError(`--algorithm: "${algorithm}" is not one of ${METHODS.join(", ")} (WebSub)`);
      }
    },
  },
  telegram: fixed(telegram),
  liqpay: fixed(liqpay),
  paypal: { create: paypalProvider, check: paypalCheck },
  paddle: fixed(paddle),
  hmac: { create: hmacProvider, check: (options) => void hmacShape(options) },
  none: fixed(none),
};

export const providerNames = (): string[] => Object.keys(registry);

function entry(name: string): Entry {
  const found = registry[name.toLowerCase()];
  if (!found) {
    throw new UsageError(`unknown provider "${name}"`, `choose one of: ${providerNames().join(", ")}`);
  }
  return found;
}

/** The named provider, ready to sign and verify: missing options (hmac's header, PayPal's webhook id) are usage errors. */
export function getProvider(name: string, options: ProviderOptions = {}): Provider {
  const found = entry(name);
  found.check?.(options);
  return found.create(options);
}

/** Every provider as `hook providers` shows it, without the options some need to sign or verify. */
export function listProviders(): Provider[] {
  return providerNames().map((name) => entry(name).create({}));
}
