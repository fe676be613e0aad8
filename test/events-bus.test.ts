import { describe, expect, it } from "vitest";
import { EventBus, type ListenEvent } from "../src/events/types.js";

describe("EventBus", () => {
  it("delivers an event to every listener even when one unsubscribes while it is delivered", () => {
    const bus = new EventBus();
    const got: string[] = [];
    const off = bus.on(() => {
      got.push("first");
      off();
    });
    bus.on(() => got.push("second"));
    const event: ListenEvent = { kind: "warning", message: "x" };
    bus.emit(event);
    bus.emit(event);
    expect(got).toEqual(["first", "second", "second"]);
  });

  it("keeps going past a listener that throws", () => {
    const bus = new EventBus();
    const got: string[] = [];
    bus.on(() => {
      throw new Error("closed pipe");
    });
    bus.on(() => got.push("after"));
    bus.emit({ kind: "warning", message: "x" });
    expect(got).toEqual(["after"]);
  });
});
