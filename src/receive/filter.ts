import { UsageError } from "../errors.js";

/**
 * `--events payment_intent.*,charge.refunded` -> a predicate on the event type. `*` matches any run of
 * characters (dots included, so `*.created` matches `customer.subscription.created`); everything else
 * is literal. An event without a type does not match.
 */
export function eventFilter(
  patterns: string | undefined,
): ((type: string | undefined) => boolean) | undefined {
  if (patterns === undefined) return undefined;
  const list = patterns
    .split(",")
    .map((p) => p.trim())
    .filter(Boolean);
  if (list.length === 0) {
    throw new UsageError(
      "--events: no patterns given",
      "for example --events payment_intent.*,charge.refunded",
    );
  }
  const regexes = list.map((pattern) => new RegExp(`^${pattern.split("*").map(escapeRegex).join(".*")}$`));
  return (type) => type !== undefined && regexes.some((re) => re.test(type));
}

function escapeRegex(text: string): string {
  return text.replace(/[.+?^${}()|[\]\\]/g, "\\$&");
}
