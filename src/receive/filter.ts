import { UsageError } from "../errors.js";

/**
 * `payment_intent.*,charge.refunded` -> a predicate on the event type, for listen's `--events` and
 * poll's `--types` alike. `*` matches any run of characters (dots included, so `*.created` matches
 * `customer.subscription.created`); everything else is literal, and a pattern matches the whole type,
 * never a part of it (`charge.refunded` does not match `charge.refunded.extra`). An event without a
 * type does not match. No patterns at all (the flag not given): undefined, meaning everything.
 */
export function eventFilter(
  patterns: string | undefined,
  flag = "--events",
): ((type: string | undefined) => boolean) | undefined {
  if (patterns === undefined) return undefined;
  const list = patterns
    .split(",")
    .map((p) => p.trim())
    .filter(Boolean);
  if (list.length === 0) {
    throw new UsageError(
      `${flag}: no patterns given`,
      `for example ${flag} payment_intent.*,charge.refunded`,
    );
  }
  const regexes = list.map((pattern) => new RegExp(`^${pattern.split("*").map(escapeRegex).join(".*")}$`));
  return (type) => type !== undefined && regexes.some((re) => re.test(type));
}

function escapeRegex(text: string): string {
  return text.replace(/[.+?^${}()|[\]\\]/g, "\\$&");
}
