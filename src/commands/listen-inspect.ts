import type { Outbox } from "../deliver/outbox.js";
import type { EventBus } from "../events/types.js";
import type { OutboxControl } from "../inspect/api.js";
import type { Inspector, StartInput } from "../inspect/inspector.js";

export type InspectorStart = Omit<StartInput, "outbox"> & { outbox?: Outbox };

/** The inspector of `hook listen`, loaded only when it is on: `--no-inspect` costs no module at all. */
export async function openInspector(dataDir: string, bus: EventBus) {
  const { Inspector } = await import("../inspect/inspector.js");
  const inspector: Inspector = await Inspector.open(dataDir, bus);
  return {
    firstNumber: inspector.firstNumber,
    start: (input: InspectorStart) => inspector.start({ ...input, outbox: outboxControl(input.outbox) }),
    close: () => inspector.close(),
  };
}

/** The outbox's list / retryNow / drop, when this build's Outbox has them. */
function outboxControl(outbox: Outbox | undefined): OutboxControl | undefined {
  const control = outbox as Partial<OutboxControl> | undefined;
  if (!control || typeof control.list !== "function" || typeof control.retryNow !== "function")
    return undefined;
  if (typeof control.drop !== "function") return undefined;
  return control as OutboxControl;
}
