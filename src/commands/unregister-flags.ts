import { DATA_DIR, JSON_LINES, type OptionsOf, value } from "./options.js";

export const UNREGISTER_FLAGS = {
  provider: value("--provider <name>", "only this provider's registrations"),
  ...DATA_DIR,
  apiKey: value("--api-key <key>", "the provider's API key (default: its variable, e.g. STRIPE_API_KEY)"),
  apiBase: value("--api-base <url>", "API origin (default: the one the registration used)"),
  ...JSON_LINES,
};

export type UnregisterOptions = OptionsOf<typeof UNREGISTER_FLAGS>;
