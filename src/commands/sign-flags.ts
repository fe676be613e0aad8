import { type OptionsOf, PROVIDER_SHAPE, repeatable, required, SECRET, toggle, value } from "./options.js";

export const SIGN_FLAGS = {
  provider: required("--provider <name>", "provider name"),
  ...SECRET,
  bodyFile: value("--body-file <file>", "the body (default: stdin)"),
  url: value("--url <url>", "the full URL the request goes to (Twilio signs it)"),
  timestamp: value("--timestamp <unix-seconds>", "sign as of this time (default: now)"),
  curl: value("--curl <url>", "print a ready curl command for this URL"),
  header: repeatable(
    "--header <header>",
    "a header 'K: V' to send too (over the provider's own); repeatable",
  ),
  json: toggle("--json", 'print {"headers":{...}}'),
  ...PROVIDER_SHAPE,
};

export const VERIFY_FLAGS = {
  provider: required("--provider <name>", "provider name"),
  ...SECRET,
  bodyFile: value("--body-file <file>", "the body (default: stdin)"),
  header: repeatable("--header <header>", "a received header 'K: V'; repeatable"),
  url: value("--url <url>", "the full URL the request was sent to (Twilio)"),
  tolerance: value("--tolerance <duration>", "timestamp window, overriding the provider's"),
  json: toggle("--json", "print the verdict as JSON"),
  ...PROVIDER_SHAPE,
};

export type SignOptions = OptionsOf<typeof SIGN_FLAGS>;
export type VerifyOptions = OptionsOf<typeof VERIFY_FLAGS>;
