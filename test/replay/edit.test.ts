import { describe, expect, it } from "vitest";
import { HookError } from "../../src/errors.js";
import { applyEdits, parseSet } from "../../src/replay/edit.js";

const edit = (body: string, type: string | undefined, ...sets: string[]) =>
  Buffer.from(applyEdits(Buffer.from(body), type, sets.map(parseSet))).toString("utf8");

describe("--set", () => {
  const stripe =
    '{\n  "id": "evt_1",\n  "data": {\n    "object": {\n      "amount": 2000,\n      "items": [ {"id": "a"}, {"id": "b"} ]\n    }\n  },\n  "note": "caf\\u00e9 1.50"\n}\n';

  it("splices one value and keeps every other byte", () => {
    const out = edit(stripe, "application/json", "data.object.amount=500");
    expect(out).toBe(stripe.replace('"amount": 2000', '"amount": 500'));
  });

  it("edits array items, parses JSON values, keeps strings as strings, adds a new key", () => {
    const out = edit(stripe, undefined, "data.object.items.1.id=c", "note=true", 'data.object.meta={"k":1}');
    expect(JSON.parse(out)).toMatchObject({
      note: true,
      data: { object: { items: [{ id: "a" }, { id: "c" }], meta: { k: 1 } } },
    });
    expect(out.startsWith('{\n  "id": "evt_1",\n  "data": {\n    "object": {\n      "amount": 2000,')).toBe(
      true,
    );
  });

  it("is not fooled by brackets, quotes and backslashes inside strings, or by a BOM", () => {
    const tricky = '\uFEFF{"a\\"}": {"x": "}]\\\\"}, "b" : [ 1e5 , {"c": "\\u0022]"} ], "k.dot": 1}';
    const out = edit(tricky, "application/json", "b.1.c=2", "b.0=-0.5", "k\\.dot=[]");
    expect(out).toBe('\uFEFF{"a\\"}": {"x": "}]\\\\"}, "b" : [ -0.5 , {"c": 2} ], "k.dot": []}');
    expect(() => JSON.parse(out.slice(1))).not.toThrow();
  });

  it("names a path that does not exist, and a body that is not JSON", () => {
    expect(() => edit(stripe, undefined, "data.nope.amount=1")).toThrow(
      /--set data\.nope\.amount=1: data has no key "nope"/,
    );
    expect(() => edit(stripe, undefined, "data.object.items.5.id=1")).toThrow(/has no item 5/);
    expect(() => edit("<xml/>", "application/xml", "a=1")).toThrow(HookError);
  });

  it("edits form fields (Twilio) and base64 JSON inside a form field (LiqPay)", () => {
    const twilio = "Body=Hello+there&From=%2B14155552671&To=%2B15005550006";
    expect(edit(twilio, "application/x-www-form-urlencoded", "Body=Bye now")).toBe(
      "Body=Bye+now&From=%2B14155552671&To=%2B15005550006",
    );
    const data = Buffer.from('{"status":"success","amount":1500}').toString("base64");
    const out = edit(
      `data=${encodeURIComponent(data)}&signature=x`,
      "application/x-www-form-urlencoded",
      "data.status=failure",
    );
    const edited = new URLSearchParams(out).get("data") ?? "";
    expect(Buffer.from(edited, "base64").toString()).toBe('{"status":"failure","amount":1500}');
  });
});
