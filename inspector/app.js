// The inspector page: a live list of requests (server-sent events), a filter, keyboard moves, Compare,
// and the durable outbox. The detail view and its actions are in detail.js.
import { openCompare } from "./compare.js";
import { openDetail } from "./detail.js";
import { api, clear, clock, el, shortId, verdict } from "./dom.js";
import { startOutbox } from "./outbox.js";

/** Summaries held by the page: as many as the history keeps; only a page of them is in the DOM. */
const KEEP = 1000;
const PAGE = 100;

const state = {
  rows: new Map(), // n -> summary
  order: [], // numbers, newest first
  visible: PAGE,
  selected: undefined,
  chosen: [], // up to two numbers for Compare
  info: {},
  renderQueued: false,
  /** Live arrivals not drawn yet, oldest first. */
  arrived: [],
  lastDrawn: 0,
  drawEvery: 0,
};

/** A burst of thousands must not keep the page busy: the list is redrawn at most this often. */
const DRAW_EVERY_MS = 500;

const $ = (id) => document.getElementById(id);
const tbody = $("requests").tBodies[0];

function add(summary) {
  if (!state.rows.has(summary.n)) {
    // Live ones are the newest; an older page of history may arrive after them.
    if (state.order.length === 0 || summary.n > state.order[0]) state.order.unshift(summary.n);
    else {
      const i = state.order.findIndex((n) => n < summary.n);
      if (i < 0) state.order.push(summary.n);
      else state.order.splice(i, 0, summary.n);
    }
  }
  state.rows.set(summary.n, summary);
  while (state.order.length > KEEP) state.rows.delete(state.order.pop());
}

/** Live arrivals are drawn in batches: new rows on top, the oldest shown ones dropped at the bottom. */
function scheduleDraw() {
  if (state.renderQueued) return;
  state.renderQueued = true;
  const wait = Math.max(0, state.lastDrawn + state.drawEvery - performance.now());
  setTimeout(() => {
    state.renderQueued = false;
    const started = performance.now();
    drawArrivals();
    state.lastDrawn = performance.now();
    // A slow machine draws less often, so the page keeps answering clicks and keys during a burst.
    state.drawEvery = Math.max(DRAW_EVERY_MS, (state.lastDrawn - started) * 10);
  }, wait);
}

function drawArrivals() {
  const words = filterWords();
  // Only the newest `visible` can be on screen: a burst of 10,000 builds at most that many rows.
  const fresh = state.arrived.slice(-state.visible).filter((s) => state.rows.has(s.n) && matches(s, words));
  state.arrived = [];
  const rows = fresh.reverse().map(row);
  tbody.prepend(...rows);
  while (tbody.rows.length > state.visible) tbody.lastElementChild.remove();
  $("empty").hidden = state.order.length > 0;
  $("more").hidden = tbody.rows.length < state.visible;
}

function matches(summary, words) {
  if (words.length === 0) return true;
  const text = [
    summary.method,
    summary.path,
    summary.provider,
    summary.event,
    summary.id,
    summary.deliveryId,
    verdict(summary),
    summary.outcome,
    String(summary.status),
    summary.duplicate ? "duplicate" : "",
    summary.reconciled ? "reconciled" : "",
    summary.replayOf ? "replay" : "",
    summary.earlier ? "earlier" : "",
    `#${summary.n}`,
  ]
    .join(" ")
    .toLowerCase();
  return words.every((word) => text.includes(word));
}

function filterWords() {
  return $("filter").value.toLowerCase().split(/\s+/).filter(Boolean);
}

function visibleNumbers() {
  const words = filterWords();
  return state.order.filter((n) => matches(state.rows.get(n), words));
}

/** The whole list again: after a filter change, Show more, or the first load. */
function render() {
  state.arrived = [];
  const numbers = visibleNumbers();
  const shown = numbers.slice(0, state.visible);
  clear(tbody);
  for (const n of shown) tbody.append(row(state.rows.get(n)));
  $("empty").hidden = state.order.length > 0;
  $("more").hidden = numbers.length <= shown.length;
  $("compare").disabled = state.chosen.length !== 2;
}

/** duplicate, reconciled (no webhook brought it), replay of #n, earlier run: shown beside the path. */
function marks(s) {
  return [
    s.duplicate ? el("span", { class: "tag dup" }, "duplicate") : null,
    s.reconciled
      ? el(
          "span",
          { class: "tag reconciled", title: "found by --reconcile in the provider's API" },
          "reconciled",
        )
      : null,
    s.replayOf ? el("span", { class: "tag replay" }, `replay of #${s.replayOf}`) : null,
    s.earlier ? el("span", { class: "tag earlier" }, "earlier run") : null,
  ];
}

function chooser(s) {
  const checkbox = el("input", {
    type: "checkbox",
    "aria-label": `Choose #${s.n} for Compare`,
    onclick: (event) => {
      event.stopPropagation();
      choose(s.n, event.target.checked);
    },
  });
  checkbox.checked = state.chosen.includes(s.n);
  return checkbox;
}

function row(s) {
  const status =
    s.outcome === "forwarded" || s.outcome === "accepted" ? String(s.status) : `${s.status} ${s.outcome}`;
  const tr = el(
    "tr",
    {
      tabindex: "0",
      class: [s.earlier ? "earlier" : "", s.verified === false ? "bad" : ""].join(" ").trim() || undefined,
      "aria-selected": String(state.selected === s.n),
      "data-n": s.n,
      onclick: () => select(s.n),
      onkeydown: (event) => {
        if (event.key === "Enter") select(s.n);
      },
    },
    el("td", {}, chooser(s)),
    el("td", {}, clock(s.time)),
    el("td", {}, s.method),
    el("td", {}, el("span", { class: "clip path", title: s.path }, s.path), ...marks(s)),
    el("td", {}, s.provider),
    el("td", { title: s.event ?? "" }, s.event ?? ""),
    el("td", { title: s.id ?? "" }, shortId(s.id ?? s.deliveryId)),
    el(
      "td",
      { class: s.verified === false ? "bad" : s.verified ? "ok" : "dim" },
      el("span", { class: "clip", title: verdict(s) }, verdict(s)),
    ),
    el("td", { class: s.status >= 400 ? "bad" : "ok" }, status),
    el("td", {}, `${s.latencyMs} ms`),
  );
  return tr;
}

function choose(n, on) {
  state.chosen = state.chosen.filter((x) => x !== n);
  if (on) state.chosen.push(n);
  // Two at a time: choosing a third lets go of the first.
  if (state.chosen.length > 2) state.chosen.shift();
  for (const box of tbody.querySelectorAll("input[type=checkbox]")) {
    box.checked = state.chosen.includes(Number(box.closest("tr").dataset.n));
  }
  $("compare").disabled = state.chosen.length !== 2;
}

function select(n) {
  state.selected = n;
  for (const tr of tbody.rows) tr.setAttribute("aria-selected", String(Number(tr.dataset.n) === n));
  tbody.querySelector(`tr[data-n="${n}"]`)?.focus();
  void openDetail(n, state.info);
}

function move(step) {
  const numbers = visibleNumbers().slice(0, state.visible);
  if (numbers.length === 0) return;
  const at = numbers.indexOf(state.selected);
  const next = numbers[Math.max(0, Math.min(numbers.length - 1, at < 0 ? 0 : at + step))];
  select(next);
}

function live(after) {
  // batch=1: one `requests` event (an array) per batch; in a browser every event has a real cost;
  // keep: the server sends of each batch only the newest summaries this page would keep.
  const source = new EventSource(`/api/events?batch=1&keep=${KEEP}${after ? `&after=${after}` : ""}`);
  source.addEventListener("open", () => {
    $("live").textContent = "live";
  });
  source.addEventListener("error", () => {
    $("live").textContent = "reconnecting…";
  });
  source.addEventListener("requests", (event) => {
    for (const summary of JSON.parse(event.data)) {
      const known = state.rows.has(summary.n);
      add(summary);
      if (!known) state.arrived.push(summary);
    }
    scheduleDraw();
  });
  source.addEventListener("delivery", (event) => {
    const delivery = JSON.parse(event.data);
    document.dispatchEvent(new CustomEvent("hook-delivery", { detail: delivery }));
  });
  source.addEventListener("tunnel", (event) => {
    const tunnel = JSON.parse(event.data);
    if (tunnel.state === "up" && tunnel.url) state.info.tunnel = tunnel.url;
    showRun();
  });
}

function showRun() {
  const i = state.info;
  const parts = [`receiver ${i.receiver}`];
  if (i.tunnel) parts.push(`public ${i.tunnel}`);
  if (i.provider) parts.push(`verifying ${i.provider}`);
  parts.push(i.forwardTo ? `forwarding to ${i.forwardTo}` : "no target");
  if (i.durable) parts.push("durable");
  $("run").textContent = parts.join(" · ");
}

async function loadOlder() {
  const oldest = state.order.at(-1);
  const { requests } = await api(`/api/requests?limit=${PAGE}${oldest ? `&before=${oldest}` : ""}`);
  for (const summary of requests) add(summary);
  state.visible += PAGE;
  render();
}

function keys(event) {
  const typing = ["INPUT", "TEXTAREA", "SELECT"].includes(document.activeElement?.tagName);
  if (event.key === "/" && !typing) {
    event.preventDefault();
    $("filter").focus();
  } else if (event.key === "Escape" && document.activeElement === $("filter")) {
    $("filter").blur();
  } else if (!typing && !event.metaKey && !event.ctrlKey && (event.key === "j" || event.key === "k")) {
    move(event.key === "j" ? 1 : -1);
  }
}

async function main() {
  state.info = await api("/api/info");
  showRun();
  const { requests } = await api(`/api/requests?limit=${PAGE}`);
  for (const summary of requests) add(summary);
  render();
  live(state.order[0] ?? 0);
  const refilter = () => {
    state.visible = PAGE;
    render();
  };
  $("filter").addEventListener("input", refilter);
  // Escape in a search box clears it with a "search" event and no "input" one.
  $("filter").addEventListener("search", refilter);
  $("more").addEventListener("click", () => void loadOlder());
  $("compare").addEventListener("click", () => void openCompare(state.chosen[0], state.chosen[1]));
  document.addEventListener("keydown", keys);
  if (state.info.durable) startOutbox();
}

void main();
