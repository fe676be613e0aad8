import { describe, expect, it } from "vitest";
import { LineBatch } from "../../src/ui/line-batch.js";

function recorder() {
  const writes: string[] = [];
  return { writes, write: (text: string) => void writes.push(text) };
}

const turn = () => new Promise((resolve) => setImmediate(resolve));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("LineBatch", () => {
  it("with flushAfterMs 0, writes the lines of one turn together once the event loop moves on", async () => {
    const { writes, write } = recorder();
    const batch = new LineBatch(write, true, 0);
    batch.add("a");
    batch.add("b");
    expect(writes).toEqual([]);
    await turn();
    expect(writes).toEqual(["a\nb\n"]);
    batch.add("c");
    await turn();
    expect(writes).toEqual(["a\nb\n", "c\n"]);
  });

  it("with a delay, writes after it, and an early flush() writes once, not again when the delay ends", async () => {
    const { writes, write } = recorder();
    const batch = new LineBatch(write, true, 30);
    batch.add("a");
    await turn();
    expect(writes).toEqual([]);
    await sleep(60);
    expect(writes).toEqual(["a\n"]);
    batch.add("b");
    batch.flush();
    await sleep(60);
    expect(writes).toEqual(["a\n", "b\n"]);
  });

  it("writes at once past 64 KB, and each line as it comes when disabled (a terminal)", () => {
    const big = recorder();
    const batch = new LineBatch(big.write, true, 0);
    batch.add("x".repeat(70_000));
    expect(big.writes).toHaveLength(1);
    const tty = recorder();
    const off = new LineBatch(tty.write, false, 100);
    off.add("a");
    off.add("b");
    expect(tty.writes).toEqual(["a\n", "b\n"]);
  });
});
