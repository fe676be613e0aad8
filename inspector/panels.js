// The detail view's tabs: what a request looked like and what came of it. Text only, never HTML.
import { bodyBytes, el, hexDump, prettyJson } from "./dom.js";

const BODY_VIEWS = ["Pretty", "Form fields", "Raw", "Hex"];

function facts(rows) {
  return el(
    "dl",
    { class: "facts" },
    ...rows
      .filter(([, v]) => v !== undefined && v !== null && v !== "")
      .map(([k, v]) => [el("dt", {}, k), el("dd", {}, String(v))]),
  );
}

function overview(r) {
  const v = r.verification;
  const verification = !v
    ? "unverified (no --provider)"
    : v.ok
      ? "verified"
      : `invalid: ${v.reason}${v.hint ? ` (hint: ${v.hint})` : ""}`;
  return [
    facts([
      ["Received", new Date(r.time).toLocaleString()],
      ["Method", r.method],
      ["Path", r.path],
      ["Provider", r.provider],
      ["Event", r.event],
      ["Event id", r.id],
      ["Delivery id", r.deliveryId],
      ["Verification", verification],
      ["Outcome", r.outcome],
      ["Status", r.status],
      ["Target status", r.targetStatus],
      ["Error", r.error],
      ["Latency", `${r.latencyMs} ms`],
      ["Body", `${r.bytes} bytes`],
      ["Duplicate", r.duplicate ? "yes: this event id was seen before" : undefined],
      ["Replay of", r.replayOf ? `#${r.replayOf}` : undefined],
      ["Outbox seq", r.seq],
      ["Saved as", r.savedAs],
      ["Run", r.earlier ? "an earlier run of hook listen" : undefined],
    ]),
  ];
}

function headerTable(headers, label) {
  const rows = Object.entries(headers ?? {}).map(([name, value]) =>
    el("tr", {}, el("th", { scope: "row" }, name), el("td", {}, value)),
  );
  return el("table", { class: "headers", "aria-label": label }, el("tbody", {}, rows));
}

function bodyPanel(record, view, redraw) {
  const bytes = bodyBytes(record);
  const text = record.body;
  const toolbar = el(
    "div",
    { class: "views", role: "group", "aria-label": "Body view" },
    BODY_VIEWS.map((name) =>
      el(
        "button",
        {
          type: "button",
          "aria-pressed": String(view.bodyView === name),
          onclick: () => {
            view.bodyView = name;
            redraw();
          },
        },
        name,
      ),
    ),
  );
  let shown;
  if (view.bodyView === "Hex" || text === undefined)
    shown = el("pre", { class: "body", "aria-label": "Request body" }, hexDump(bytes));
  else if (view.bodyView === "Raw") shown = el("pre", { class: "body", "aria-label": "Request body" }, text);
  else if (view.bodyView === "Form fields") {
    const rows = [...new URLSearchParams(text)].map(([k, v]) =>
      el("tr", {}, el("th", { scope: "row" }, k), el("td", {}, v)),
    );
    const form =
      /x-www-form-urlencoded/i.test(record.headers?.["content-type"] ?? "") || /^[^{[\s][^=&\s]*=/.test(text);
    shown =
      form && rows.length
        ? el("table", { class: "headers", "aria-label": "Form fields" }, el("tbody", {}, rows))
        : el("p", {}, "Not form-encoded.");
  } else {
    const pretty = prettyJson(text);
    shown = pretty.error
      ? el(
          "div",
          {},
          el("p", { class: "error" }, `Not valid JSON: ${pretty.error}`),
          el("pre", { class: "body", "aria-label": "Request body" }, text),
        )
      : el("pre", { class: "body", "aria-label": "Request body" }, pretty.text);
  }
  return [toolbar, shown];
}

function responsePanel(r) {
  const answer = r.response;
  if (!answer)
    return [
      el(
        "p",
        {},
        r.outcome === "queued"
          ? "Queued: see Deliveries for the target's answers."
          : "No answer from a target for this request.",
      ),
    ];
  const text = answer.body;
  const pretty = text === undefined ? undefined : prettyJson(text);
  return [
    facts([
      ["Status", answer.status],
      ["Cut", answer.truncated ? "the body was longer than 1 MB: its start is shown" : undefined],
    ]),
    headerTable(answer.headers, "Response headers"),
    el(
      "pre",
      { class: "body", "aria-label": "Response body" },
      text === undefined ? hexDump(bodyBytes(answer)) : (pretty.text ?? text),
    ),
  ];
}

function deliveriesPanel(r) {
  if (!r.deliveries?.length)
    return [el("p", {}, r.seq ? "No delivery attempt yet." : "Not a durable delivery.")];
  const rows = r.deliveries.map((d) =>
    el(
      "tr",
      {},
      el("td", {}, d.attempt),
      el("td", {}, d.ok ? "delivered" : "failed"),
      el("td", {}, d.status ?? ""),
      el("td", {}, d.error ?? ""),
      el("td", {}, `${d.latencyMs} ms`),
    ),
  );
  const head = el(
    "tr",
    {},
    ["Attempt", "Result", "Status", "Error", "Latency"].map((h) => el("th", { scope: "col" }, h)),
  );
  return [
    el(
      "table",
      { class: "headers", "aria-label": "Delivery attempts" },
      el("thead", {}, head),
      el("tbody", {}, rows),
    ),
  ];
}

export const PANELS = {
  Overview: overview,
  Headers: (r) => [headerTable(r.headers, "Request headers")],
  Body: bodyPanel,
  Response: responsePanel,
  Deliveries: deliveriesPanel,
};
