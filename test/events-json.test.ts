import { describe, expect, it } from "vitest";
import { jsonWithoutBytes } from "../src/events/json.js";

describe("jsonWithoutBytes", () => {
  it("drops bytes wherever they are: a value, an array item, deep down", () => {
    const bytes = Buffer.from("secret body");
    expect(jsonWithoutBytes({ a: 1, body: bytes, u8: new Uint8Array([1, 2]) })).toBe('{"a":1}');
    expect(jsonWithoutBytes({ list: [1, bytes, "x"] })).toBe('{"list":[1,null,"x"]}');
    expect(jsonWithoutBytes({ a: { b: { c: { d: { e: { f: { g: { h: bytes, i: 1 } } } } } } } })).toBe(
      '{"a":{"b":{"c":{"d":{"e":{"f":{"g":{"i":1}}}}}}}}',
    );
  });

  it("follows toJSON as JSON.stringify does, bytes it returns dropped too", () => {
    const holder = { toJSON: () => ({ kept: true, body: Buffer.from("x") }) };
    expect(jsonWithoutBytes({ holder, at: new Date("2026-12-01T00:00:00Z") })).toBe(
      '{"holder":{"kept":true},"at":"2026-12-01T00:00:00.000Z"}',
    );
  });

  it("is JSON.stringify's text when there are no bytes, indented when asked", () => {
    const value = { kind: "result", n: 1, nested: [{ a: null, b: undefined, c: "é\n" }], ok: true };
    expect(jsonWithoutBytes(value)).toBe(JSON.stringify(value));
    expect(jsonWithoutBytes(value, 2)).toBe(JSON.stringify(value, null, 2));
  });
});
