import { describe, expect, it } from "vitest";
import { HookError } from "../../src/errors.js";
import { applyEdits, parseSet } from "../../src/replay/edit.js";
import { spliceJson, splitPath } from "../../src/replay/json-splice.js";

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

describe("--set, the edge of each rule", () => {
  it("PATH=VALUE: the first = splits, a value that is not JSON is a string, no path is a usage error", () => {
    expect(parseSet("a.b=x=y")).toEqual({ text: "a.b=x=y", path: ["a", "b"], value: "x=y" });
    expect(parseSet("n=500").value).toBe(500);
    expect(parseSet("s=").value).toBe("");
    expect(parseSet("o={bad").value).toBe("{bad");
    for (const bad of ["=1", "novalue"]) {
      let error: unknown;
      try {
        parseSet(bad);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(HookError);
      expect((error as HookError).message).toBe(`--set "${bad}" is not PATH=VALUE`);
      expect((error as HookError).hint).toBe("for example --set data.object.amount=500");
    }
  });

  it("a body is JSON or a form by its content type, in any case, else by whether it parses", () => {
    expect(edit("a=1&b=2", "Application/X-WWW-Form-URLencoded; charset=utf-8", "b=3")).toBe("a=1&b=3");
    expect(edit('{"a":1}', "APPLICATION/JSON", "a=2")).toBe('{"a":2}');
    expect(edit('{"a":1}', "application/vnd.api+json", "a=2")).toBe('{"a":2}');
    expect(edit('{"a":1}', "text/plain", "a=2")).toBe('{"a":2}');
    expect(() => edit("a=1", "text/plain", "a=2")).toThrow(
      "--set: the body is neither JSON nor form-encoded, so it cannot be edited",
    );
    expect(() => edit("{nope", "application/json", "a=2")).toThrow(
      /^--set a=2: the body is not valid JSON \(/,
    );
  });

  it("no edits: the very same bytes, even ones that are not text; edits need UTF-8", () => {
    const binary = Buffer.from([0xff, 0xfe, 0x00]);
    expect(applyEdits(binary, "application/json", [])).toBe(binary);
    expect(() => applyEdits(binary, "application/json", [parseSet("a=1")])).toThrow(
      "--set: the body is not UTF-8 text, so it cannot be edited",
    );
  });

  it("a BOM is kept in front of an edited JSON or form body, and only a real one is added", () => {
    expect(edit('\uFEFF{"a":1}', "application/json", "a=2")).toBe('\uFEFF{"a":2}');
    const bomForm = applyEdits(Buffer.from("\uFEFFa=1"), "application/x-www-form-urlencoded", [
      parseSet("a=2"),
    ]);
    expect([...bomForm.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(edit('{"a":1}', "application/json", "a=2")).toBe('{"a":2}');
  });

  it("form fields: a new one is appended, values are form-encoded, JSON values written as JSON", () => {
    const form = "application/x-www-form-urlencoded";
    expect(edit("", form, "To=+1 555")).toBe("To=%2B1+555");
    expect(edit("a=1", form, "b=x&y")).toBe("a=1&b=x%26y");
    expect(edit("a=1", form, "a=true", "n=5", 'o={"k":[1]}')).toBe("a=true&n=5&o=%7B%22k%22%3A%5B1%5D%7D");
    // Field names are compared decoded; a field whose encoding is broken is compared as it is.
    expect(edit("my+field=1&%E0%A4%A=2", form, "my field=3")).toBe("my+field=3&%E0%A4%A=2");
    expect(edit("%E0%A4%A=2", form, "%E0%A4%A=4")).toBe("%25E0%25A4%25A=4");
    expect(edit("flag&b=1", form, "flag=on")).toBe("flag=on&b=1");
  });

  it("a deeper path inside a form field that holds JSON keeps it JSON; nothing to edit is an error", () => {
    const form = "application/x-www-form-urlencoded";
    const payload = encodeURIComponent('{"type":"block_actions","n":1}');
    const out = edit(`payload=${payload}&x=1`, form, "payload.n=2");
    expect(new URLSearchParams(out).get("payload")).toBe('{"type":"block_actions","n":2}');
    expect(out.endsWith("&x=1")).toBe(true);
    expect(() => edit("a=1", form, "b.c=2")).toThrow('--set b.c=2: the form has no field "b"');
    expect(() => edit("a=plain", form, "a.c=2")).toThrow(
      '--set a.c=2: form field "a" holds neither JSON nor base64 JSON',
    );
    expect(() => edit(`p=${payload}`, form, "p.nope.x=1")).toThrow(
      '--set p.nope.x=1: the top level has no key "nope"',
    );
    const data = Buffer.from('{"a":{"b":1}}').toString("base64");
    expect(() => edit(`data=${encodeURIComponent(data)}`, form, "data.a.c.d=1")).toThrow(
      '--set data.a.c.d=1: a has no key "c"',
    );
  });

  it("JSON paths: what is not a container, and a missing item, are named", () => {
    expect(() => edit('{"a":5}', undefined, "a.b=1")).toThrow("--set a.b=1: a is not an object or array");
    expect(() => edit('"text"', undefined, "a=1")).toThrow(
      "--set a=1: the top level is not an object or array",
    );
    expect(() => edit('{"a":{"b":[1]}}', undefined, "a.b.x=1")).toThrow("--set a.b.x=1: a.b has no item x");
    expect(() => edit('{"a":{"b":{}}}', undefined, "a.b.c.d=1")).toThrow(
      '--set a.b.c.d=1: a.b has no key "c"',
    );
  });
});

describe("the JSON splice", () => {
  it("adds a key to an empty object, or after the last member, whatever the spacing", () => {
    expect(spliceJson("{}", ["a"], 1)).toBe('{"a":1}');
    expect(spliceJson("{ \n }", ["a"], 1)).toBe('{"a":1 \n }');
    expect(spliceJson('{"x": [1, {"y": "}"}] ,\t"z" :null }', ["n"], "v")).toBe(
      '{"x": [1, {"y": "}"}] ,\t"z" :null,"n":"v" }',
    );
    expect(spliceJson('\r\n {"a":1}', ["b"], 2)).toBe('\r\n {"a":1,"b":2}');
  });

  it("finds values after strings with escapes, nested containers and bare literals", () => {
    const text =
      '{"s":"a\\\\","q":"\\"}","arr":[[1,2],[3,[4]]],"t":true,"f":false,"n":null,"num":-1.5e3,"end":0}';
    expect(spliceJson(text, ["end"], 9)).toBe(text.replace('"end":0', '"end":9'));
    expect(spliceJson(text, ["arr", "1", "1", "0"], 5)).toBe(text.replace("[4]", "[5]"));
    expect(spliceJson(text, ["num"], 2)).toBe(text.replace("-1.5e3", "2"));
    expect(spliceJson(text, ["n"], 1)).toBe(text.replace('"n":null', '"n":1'));
    expect(spliceJson("[ 1 , 2 ]", ["1"], 7)).toBe("[ 1 , 7 ]");
    expect(spliceJson('{"a" : 1 }', ["a"], 2)).toBe('{"a" : 2 }');
    expect(spliceJson('{"a":{"b":1}}', ["a"], [1])).toBe('{"a":[1]}');
  });

  it("a repeated key: the last one is edited, as JSON.parse reads it", () => {
    expect(spliceJson('{"a":1,"a":2}', ["a"], 3)).toBe('{"a":1,"a":3}');
  });

  it("an empty path is the whole document", () => {
    expect(spliceJson('{"a":1}', [], { b: 2 })).toBe('{"b":2}');
  });

  it("splits a path on dots, \\. keeps a dot, any other backslash is literal", () => {
    expect(splitPath("data.object.amount")).toEqual(["data", "object", "amount"]);
    expect(splitPath("a\\.b.c")).toEqual(["a.b", "c"]);
    expect(splitPath("a\\b")).toEqual(["a\\b"]);
    expect(splitPath("a\\")).toEqual(["a\\"]);
    expect(splitPath("")).toEqual([""]);
    expect(splitPath("a..b")).toEqual(["a", "", "b"]);
  });
});
