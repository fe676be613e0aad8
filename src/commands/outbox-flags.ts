import {
  DATA_DIR,
  FORWARD_SECRET,
  JSON_LINES,
  type OptionsOf,
  PROVIDER_SHAPE,
  SECRET,
  value,
} from "./options.js";

export const OUTBOX_FLAGS = {
  ...DATA_DIR,
  forwardTo: value("-f, --forward-to <url>", "retry beside no running listener: deliver the head here"),
  provider: value("--provider <name>", "retry beside no running listener: re-sign for this provider"),
  ...SECRET,
  ...FORWARD_SECRET,
  timeout: value(
    "--timeout <duration>",
    "retry beside no running listener: how long to wait for the target",
    "30s",
  ),
  giveUpAfter: value("--give-up-after <duration>", "retry beside no running listener: as listen's", "24h"),
  ...JSON_LINES,
  ...PROVIDER_SHAPE,
};

export type OutboxOptions = OptionsOf<typeof OUTBOX_FLAGS>;
