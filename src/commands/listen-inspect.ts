import type { EventBus } from "../events/types.js";
import type { Inspector, StartInput } from "../inspect/inspector.js";

/** What listen hands the inspector; the durable Outbox is its OutboxControl (list, retryNow, drop). */
export type InspectorStart = StartInput;

/** The inspector of `hook listen`, loaded only when it is on: `--no-inspect` costs no module at all. */
export async function openInspector(dataDir: string, bus: EventBus) {
  const { Inspector } = await import("../inspect/inspector.js");
  const inspector: Inspector = await Inspector.open(dataDir, bus);
  return {
    firstNumber: inspector.firstNumber,
    // Passed as it is, not spread: its provider and secrets are getters that --register updates.
    start: (input: InspectorStart) => inspector.start(input),
    close: () => inspector.close(),
  };
}
