import { UsageError } from "../errors.js";
import { githubRegistrar } from "./github.js";
import { paddleRegistrar } from "./paddle.js";
import { paypalRegistrar } from "./paypal.js";
import { stripeRegistrar } from "./stripe.js";
import { NOT_REGISTRABLE, REGISTRABLE } from "./support.js";
import { telegramRegistrar } from "./telegram.js";
import { twitchRegistrar } from "./twitch.js";
import type { Registrar } from "./types.js";
import { websubRegistrar } from "./websub.js";

const registrars: Record<string, Registrar> = {
  stripe: stripeRegistrar,
  github: githubRegistrar,
  telegram: telegramRegistrar,
  twitch: twitchRegistrar,
  websub: websubRegistrar,
  paypal: paypalRegistrar,
  paddle: paddleRegistrar,
};

/** The registrar for --provider NAME, or a usage error that says why there is none. */
export function getRegistrar(name: string): Registrar {
  const found = registrars[name];
  if (found) return found;
  const why = NOT_REGISTRABLE[name];
  throw new UsageError(
    `--register does not work with ${name}${why ? `: ${why}` : ""}`,
    `--register works with ${REGISTRABLE.join(", ")}`,
  );
}
