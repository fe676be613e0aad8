// A module-resolution hook that writes every resolved URL to $RECORD_IMPORTS, one per line. Loaded with
// `node --import <register script>` so a test can see exactly what a command loads at start-up.
import { appendFileSync } from "node:fs";

export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  if (process.env.RECORD_IMPORTS) appendFileSync(process.env.RECORD_IMPORTS, `${result.url}\n`);
  return result;
}
