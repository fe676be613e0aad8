import {
  JSON_LINES,
  type OptionsOf,
  PROVIDER_SHAPE,
  repeatable,
  required,
  SECRET,
  value,
} from "./options.js";

/** What replay and trigger share: where to send, how to sign, what to expect. */
const SENDING = {
  to: required("-t, --to <url>", "send to this URL (the fixture's path is appended)"),
  provider: value("--provider <name>", "sign for this provider (default: the fixture's own)"),
  ...SECRET,
  concurrency: value("--concurrency <n>", "requests in flight at once", "1"),
  expect: value("--expect <statuses>", "expected status: 200, 2xx or a list 200,202", "2xx"),
  repeat: value("--repeat <n>", "send each fixture N times (true duplicates)", "1"),
  set: repeatable("--set <path=value>", "edit the JSON payload before signing; repeatable"),
  header: repeatable("--header <header>", "extra header 'K: V'; repeatable"),
  timeout: value("--timeout <duration>", "per-request timeout", "30s"),
  report: value("--report <file>", "write a report: FILE.xml (JUnit) or FILE.json"),
  ...JSON_LINES,
};

export const REPLAY_FLAGS = { ...SENDING, ...PROVIDER_SHAPE };

export const TRIGGER_FLAGS = {
  id: value("--id <id>", "send this event id (default: a fresh one on every run)"),
  ...SENDING,
  ...PROVIDER_SHAPE,
};

export type ReplayOptions = OptionsOf<typeof REPLAY_FLAGS>;
export type TriggerOptions = OptionsOf<typeof TRIGGER_FLAGS>;
