import { type OptionsOf, PROVIDER_SHAPE, required, SECRET, toggle, value } from "./options.js";

export const CHECK_FLAGS = {
  to: required("-t, --to <url>", "the endpoint to check"),
  provider: value("--provider <name>", "provider whose signatures the endpoint verifies"),
  ...SECRET,
  fixture: value("--fixture <file>", "event to send (default: the provider's built-in sample)"),
  budget: value("--budget <duration>", "time allowed per answer (default: the provider's timeout)"),
  report: value("--report <file>", "write a report: FILE.xml (JUnit) or FILE.json"),
  json: toggle("--json", "one JSON object per scenario on stdout"),
  ...PROVIDER_SHAPE,
};

export type CheckOptions = OptionsOf<typeof CHECK_FLAGS>;
