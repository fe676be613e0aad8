// Compare: two requests' headers side by side and a line diff of their bodies.
import { api, clear, el } from "./dom.js";

const $ = (id) => document.getElementById(id);

export async function openCompare(a, b) {
  const box = $("compare-body");
  clear(box);
  $("compare-title").textContent = `Compare #${a} and #${b}`;
  try {
    const diff = await api(`/api/compare?a=${a}&b=${b}`);
    box.append(headerDiff(diff), bodyDiff(diff));
  } catch (error) {
    box.append(el("p", { class: "error" }, error.message));
  }
  $("compare-dialog").showModal();
}

function headerDiff(diff) {
  const head = el(
    "tr",
    {},
    el("th", { scope: "col" }, "Header"),
    el("th", { scope: "col" }, `#${diff.a}`),
    el("th", { scope: "col" }, `#${diff.b}`),
  );
  const rows = diff.headers.map((h) =>
    el(
      "tr",
      { class: h.same ? "same" : "changed" },
      el("th", { scope: "row" }, h.name),
      el("td", {}, h.a ?? "(none)"),
      el("td", {}, h.b ?? "(none)"),
    ),
  );
  return el(
    "table",
    { class: "headers", "aria-label": "Header differences" },
    el("thead", {}, head),
    el("tbody", {}, rows),
  );
}

function bodyDiff(diff) {
  const sign = { same: "  ", removed: "- ", added: "+ " };
  const changed = diff.body.filter((line) => line.op !== "same").length;
  const lines = diff.body.map((line) =>
    el("span", { class: `line ${line.op}` }, `${sign[line.op]}${line.text}\n`),
  );
  return el(
    "div",
    {},
    el("h3", {}, changed === 0 ? "Bodies: identical" : `Bodies: ${changed} line(s) differ`),
    el("pre", { class: "diff", "aria-label": "Body differences" }, lines),
  );
}

$("compare-close").addEventListener("click", () => $("compare-dialog").close());
