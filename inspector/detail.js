// The detail view of one request (Overview, Headers, Body, Response, Deliveries) and its actions.
import { api, bodyBytes, clear, el, hexDump, prettyJson } from "./dom.js";

const $ = (id) => document.getElementById(id);
const TABS = ["Overview", "Headers", "Body", "Response", "Deliveries"];
const BODY_VIEWS = ["Pretty", "Form fields", "Raw", "Hex"];

const view = { record: undefined, tab: "Overview", bodyView: "Pretty", info: {} };

export async function openDetail(n, info) {
  view.info = info;
  let record;
  try {
    record = await api(`/api/requests/${n}`);
  } catch (error) {
    status(error.message);
    return;
  }
  view.record = record;
  $("detail").hidden = false;
  $("detail-title").textContent = `Request #${record.n}: ${record.method} ${record.path}`;
  $("curl-text").hidden = true;
  status("");
  drawTabs();
}

function status(text) {
  $("action-status").textContent = text;
}

function drawTabs() {
  const list = document.querySelector(".tabs");
  clear(list);
  for (const name of TABS) {
    const selected = name === view.tab;
    list.append(
      el(
        "button",
        {
          type: "button",
          role: "tab",
          id: `tab-${name}`,
          "aria-selected": String(selected),
          "aria-controls": "panel",
          tabindex: selected ? "0" : "-1",
          onclick: () => {
            view.tab = name;
            drawTabs();
          },
          onkeydown: (event) => arrowTabs(event, name),
        },
        name,
      ),
    );
  }
  const panel = $("panel");
  panel.setAttribute("aria-labelledby", `tab-${view.tab}`);
  clear(panel);
  panel.append(...PANELS[view.tab](view.record));
}

function arrowTabs(event, name) {
  if (event.key !== "ArrowRight" && event.key !== "ArrowLeft") return;
  const i = TABS.indexOf(name) + (event.key === "ArrowRight" ? 1 : -1);
  view.tab = TABS[(i + TABS.length) % TABS.length];
  drawTabs();
  document.getElementById(`tab-${view.tab}`)?.focus();
}

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

function bodyPanel(record) {
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
            drawTabs();
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
    shown = rows.length
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

const PANELS = {
  Overview: overview,
  Headers: (r) => [headerTable(r.headers, "Request headers")],
  Body: bodyPanel,
  Response: responsePanel,
  Deliveries: deliveriesPanel,
};

async function replay(edit) {
  const r = view.record;
  const result = await api(`/api/requests/${r.n}/replay`, { method: "POST", body: edit ?? {} });
  status(`Replayed as #${result.n}: ${result.status} ${result.outcome}`);
  return result;
}

function openEditor() {
  const r = view.record;
  $("edit-method").value = r.method;
  $("edit-path").value = r.path;
  $("edit-headers").value = Object.entries(r.headers)
    .map(([k, v]) => `${k}: ${v}`)
    .join("\n");
  $("edit-body").value = r.body ?? "";
  $("edit-body").disabled = r.body === undefined;
  $("edit-error").textContent = "";
  $("editor").showModal();
}

function editFromForm() {
  const headers = {};
  for (const line of $("edit-headers").value.split("\n")) {
    if (line.trim() === "") continue;
    const colon = line.indexOf(":");
    if (colon <= 0) throw new Error(`"${line}" is not "Name: value"`);
    headers[line.slice(0, colon).trim()] = line.slice(colon + 1).trim();
  }
  const edit = { method: $("edit-method").value.trim(), path: $("edit-path").value.trim(), headers };
  if (!$("edit-body").disabled) edit.body = $("edit-body").value;
  return edit;
}

async function sendEdited(event) {
  event.preventDefault();
  try {
    await replay(editFromForm());
    $("editor").close();
  } catch (error) {
    $("edit-error").textContent = error.message;
  }
}

async function copyCurl() {
  const { curl } = await api(`/api/requests/${view.record.n}/curl`, { method: "POST", body: {} });
  $("curl-text").textContent = curl;
  $("curl-text").hidden = false;
  try {
    await navigator.clipboard.writeText(curl);
    status("Copied the curl command (freshly signed; secret headers left out).");
  } catch {
    status("The curl command is below (the browser did not allow copying).");
  }
}

async function saveFixture() {
  const r = view.record;
  if (!view.info.save) {
    // No --save folder: the browser downloads the fixture instead.
    el("a", { href: `/api/requests/${r.n}/fixture`, download: "" }).click();
    status("Downloading the fixture (secrets redacted).");
    return;
  }
  const { file } = await api(`/api/requests/${r.n}/save`, { method: "POST", body: {} });
  status(`Saved as ${file}`);
}

function guarded(action) {
  return () => action().catch((error) => status(error.message));
}

$("replay").addEventListener(
  "click",
  guarded(() => replay()),
);
$("edit").addEventListener("click", openEditor);
$("curl").addEventListener("click", guarded(copyCurl));
$("save").addEventListener("click", guarded(saveFixture));
$("editor-form").addEventListener("submit", (event) => void sendEdited(event));
$("edit-cancel").addEventListener("click", () => $("editor").close());
document.addEventListener("hook-delivery", (event) => {
  if (view.record && event.detail.n === view.record.n && view.tab === "Deliveries")
    void openDetail(view.record.n, view.info);
});
