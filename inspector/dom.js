// Small DOM helpers. Webhook data is attacker-controlled: it reaches the page only as text nodes
// (textContent, createTextNode), never as HTML.

/** el("td", { class: "x" }, "text", child): strings become text nodes; attributes are set as attributes. */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(
      typeof child === "string" || typeof child === "number" ? document.createTextNode(String(child)) : child,
    );
  }
  return node;
}

export function clear(node) {
  while (node.firstChild) node.firstChild.remove();
}

export async function api(path, options = {}) {
  const init = { method: options.method ?? "GET", headers: {} };
  if (init.method !== "GET") {
    // The inspector refuses changes without this type: a cross-site form cannot send it.
    init.headers["content-type"] = "application/json";
    init.body = JSON.stringify(options.body ?? {});
  }
  const response = await fetch(path, init);
  const value = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(value.error ?? `${response.status} ${response.statusText}`);
  return value;
}

export function clock(iso) {
  const date = new Date(iso);
  const two = (n) => String(n).padStart(2, "0");
  return `${two(date.getHours())}:${two(date.getMinutes())}:${two(date.getSeconds())}`;
}

export function verdict(summary) {
  if (summary.verified === null || summary.verified === undefined) return "unverified";
  return summary.verified ? "verified" : `invalid: ${summary.reason ?? ""}`;
}

export function shortId(id) {
  if (!id) return "";
  return id.length > 16 ? `${id.slice(0, 6)}…${id.slice(-6)}` : id;
}

export function bodyBytes(record) {
  if (record.bodyBase64 !== undefined)
    return Uint8Array.from(atob(record.bodyBase64), (c) => c.charCodeAt(0));
  return new TextEncoder().encode(record.body ?? "");
}

/** 16 bytes a line: offset, hex, and the printable characters. */
export function hexDump(bytes) {
  const lines = [];
  for (let i = 0; i < bytes.length; i += 16) {
    const row = bytes.slice(i, i + 16);
    const hex = [...row].map((b) => b.toString(16).padStart(2, "0")).join(" ");
    const text = [...row].map((b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : ".")).join("");
    lines.push(`${i.toString(16).padStart(8, "0")}  ${hex.padEnd(47)}  ${text}`);
  }
  return lines.join("\n");
}

/** Pretty JSON, or why it is not JSON (with the position the parser gave). */
export function prettyJson(text) {
  try {
    return { text: JSON.stringify(JSON.parse(text), null, 2) };
  } catch (error) {
    return { error: error.message };
  }
}
