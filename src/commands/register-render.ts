import type { ChalkInstance } from "chalk";
import type { RegisterRecord } from "../events/types.js";
import type { Output } from "../ui/output.js";

/** `registered stripe webhook we_123 -> https://…`, and the other states, for a person. */
function registerLine(r: RegisterRecord, c: ChalkInstance): string {
  const what = `${r.provider} webhook${r.id ? ` ${r.id}` : ""}`;
  const to = r.url ? ` -> ${r.url}` : "";
  const extra = [r.leftover ? "left by an earlier run" : undefined, r.note].filter(Boolean).join("; ");
  const tail = extra ? c.dim(` (${extra})`) : "";
  switch (r.state) {
    case "registering":
      return c.dim(`registering ${r.provider} webhook${to}`);
    case "registered":
    case "updated":
      return `${c.green(r.state)} ${what}${to}${tail}`;
    case "failed":
      return `${c.yellow("register")} ${r.provider} failed${r.url ? ` for ${r.url}` : ""}: ${r.reason}${tail}`;
    default:
      return `${c.green(r.state)} ${what}${r.state === "kept" ? to : ""}${tail}`;
  }
}

/** A register record: one JSON line with --json, else the line (and a failure's hint). */
export function renderRegister(out: Output, r: RegisterRecord): void {
  out.data("register", { ...r });
  out.line(registerLine(r, out.color));
  if (r.state === "failed" && r.hint) out.line(`hint: ${r.hint}`);
}
