// The durable outbox, steered from the page: what is pending, Retry now, and Drop (to dead/).
import { api, clear, el } from "./dom.js";

const $ = (id) => document.getElementById(id);

async function refresh() {
  const tbody = $("outbox-table").tBodies[0];
  let entries;
  try {
    ({ entries } = await api("/api/outbox"));
  } catch (error) {
    clear(tbody);
    tbody.append(el("tr", {}, el("td", { colspan: "6" }, error.message)));
    return;
  }
  clear(tbody);
  for (const entry of entries) {
    const id = entry.seq ?? entry.eventId;
    tbody.append(
      el(
        "tr",
        {},
        el("td", {}, entry.seq ?? ""),
        el("td", {}, entry.event ?? ""),
        el("td", {}, entry.eventId ?? ""),
        el("td", {}, entry.attempts ?? ""),
        el("td", {}, entry.lastError ?? entry.error ?? ""),
        el("td", {}, el("button", { type: "button", onclick: () => void drop(id) }, `Drop #${id}`)),
      ),
    );
  }
  if (entries.length === 0) tbody.append(el("tr", {}, el("td", { colspan: "6" }, "Nothing pending.")));
}

async function drop(id) {
  await api(`/api/outbox/${encodeURIComponent(id)}/drop`, { method: "POST" }).catch((error) =>
    alert(error.message),
  );
  await refresh();
}

export function startOutbox() {
  $("outbox").hidden = false;
  $("retry").addEventListener(
    "click",
    () => void api("/api/outbox/retry", { method: "POST" }).then(refresh, refresh),
  );
  document.addEventListener("hook-delivery", () => void refresh());
  void refresh();
}
