// The detail view of one request (Overview, Headers, Body, Response, Deliveries) and its actions.
import { api, clear, el } from "./dom.js";
import { PANELS } from "./panels.js";

const $ = (id) => document.getElementById(id);
const TABS = ["Overview", "Headers", "Body", "Response", "Deliveries"];

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
  panel.append(...PANELS[view.tab](view.record, view, drawTabs));
}

function arrowTabs(event, name) {
  if (event.key !== "ArrowRight" && event.key !== "ArrowLeft") return;
  const i = TABS.indexOf(name) + (event.key === "ArrowRight" ? 1 : -1);
  view.tab = TABS[(i + TABS.length) % TABS.length];
  drawTabs();
  document.getElementById(`tab-${view.tab}`)?.focus();
}

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
