import { errorMessage, UsageError } from "../errors.js";
import { strictUtf8 } from "../utf8.js";
import { SpliceError, spliceJson, splitPath } from "./json-splice.js";

/** One --set PATH=VALUE: the value is JSON when it parses as JSON (500, true, {"a":1}), else a string. */
export interface Edit {
  text: string;
  path: string[];
  value: unknown;
}

export function parseSet(text: string): Edit {
  const eq = text.indexOf("=");
  if (eq <= 0) {
    throw new UsageError(`--set "${text}" is not PATH=VALUE`, "for example --set data.object.amount=500");
  }
  const raw = text.slice(eq + 1);
  let value: unknown = raw;
  try {
    value = JSON.parse(raw);
  } catch {
    // not JSON: the value is the text itself
  }
  return { text, path: splitPath(text.slice(0, eq)), value };
}

type BodyKind = "json" | "form";

function kindOf(contentType: string | undefined, text: string): BodyKind | undefined {
  const type = (contentType ?? "").toLowerCase();
  if (type.includes("x-www-form-urlencoded")) return "form";
  if (type.includes("json")) return "json";
  try {
    JSON.parse(text);
    return "json";
  } catch {
    return undefined;
  }
}

/**
 * Applies --set edits to a body. JSON: a targeted splice, so every other byte is kept. Form
 * (Twilio, LiqPay): the named field is replaced, other fields keep their exact encoding; a deeper
 * path edits a field that holds JSON, or base64 of JSON (LiqPay's `data`), and re-encodes it.
 */
export function applyEdits(body: Uint8Array, contentType: string | undefined, edits: Edit[]): Uint8Array {
  if (edits.length === 0) return body;
  let text: string;
  try {
    text = strictUtf8.decode(body).replace(/^\uFEFF/, "");
  } catch {
    throw new UsageError("--set: the body is not UTF-8 text, so it cannot be edited");
  }
  const kind = kindOf(contentType, text);
  if (!kind) throw new UsageError("--set: the body is neither JSON nor form-encoded, so it cannot be edited");
  const bom = body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf ? "\uFEFF" : "";
  for (const edit of edits) {
    try {
      text = kind === "json" ? editJsonText(text, edit.path, edit.value) : editForm(text, edit);
    } catch (error) {
      if (error instanceof SpliceError) throw new UsageError(`--set ${edit.text}: ${error.message}`);
      throw error;
    }
  }
  return Buffer.from(bom + text, "utf8");
}

function editJsonText(text: string, path: string[], value: unknown): string {
  try {
    JSON.parse(text);
  } catch (error) {
    throw new SpliceError(`the body is not valid JSON (${errorMessage(error)})`);
  }
  return spliceJson(text, path, value);
}

const decodeForm = (part: string): string => decodeURIComponent(part.replace(/\+/g, " "));
const encodeForm = (part: string): string => encodeURIComponent(part).replace(/%20/g, "+");

function editForm(text: string, edit: Edit): string {
  const [field, ...rest] = edit.path as [string, ...string[]];
  const pairs = text === "" ? [] : text.split("&");
  const index = pairs.findIndex((pair) => safeDecode(pair.split("=", 1)[0] ?? "") === field);
  const current =
    index >= 0 ? safeDecode((pairs[index] as string).slice((pairs[index] as string).indexOf("=") + 1)) : "";
  let next: string;
  if (rest.length === 0) next = typeof edit.value === "string" ? edit.value : JSON.stringify(edit.value);
  else if (index < 0) throw new SpliceError(`the form has no field "${field}"`);
  else next = editNested(current, field, rest, edit.value);
  const pair = `${encodeForm(field)}=${encodeForm(next)}`;
  if (index < 0) pairs.push(pair);
  else pairs[index] = pair;
  return pairs.join("&");
}

function safeDecode(part: string): string {
  try {
    return decodeForm(part);
  } catch {
    return part;
  }
}

/** A form field that holds JSON, or base64 of JSON (LiqPay `data`): edit inside it, keep its encoding. */
function editNested(current: string, field: string, path: string[], value: unknown): string {
  try {
    JSON.parse(current);
    return spliceJson(current, path, value);
  } catch (error) {
    if (error instanceof SpliceError) throw error;
  }
  const decoded = Buffer.from(current, "base64").toString("utf8");
  try {
    JSON.parse(decoded);
  } catch {
    throw new SpliceError(`form field "${field}" holds neither JSON nor base64 JSON`);
  }
  return Buffer.from(spliceJson(decoded, path, value), "utf8").toString("base64");
}
