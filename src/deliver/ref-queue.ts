import type { EntryRef } from "./journal-lines.js";

/**
 * The pending entries' positions in the journal, in sequence order, as three typed arrays: 20 bytes
 * an entry instead of an object each (about 60), so a queue of a million costs 20 MB and the
 * garbage collector has nothing to walk.
 */
export class RefQueue {
  private seqs = new Float64Array(1024);
  private offsets = new Float64Array(1024);
  private lengths = new Uint32Array(1024);
  private head = 0;
  private tail = 0;

  constructor(refs: Iterable<EntryRef> = []) {
    for (const ref of refs) this.push(ref);
  }

  get size(): number {
    return this.tail - this.head;
  }

  push(ref: EntryRef): void {
    // Stryker disable next-line ConditionalExpression: making room early moves the same entries, only sooner
    if (this.tail === this.seqs.length) this.makeRoom();
    this.seqs[this.tail] = ref.seq;
    this.offsets[this.tail] = ref.offset;
    this.lengths[this.tail] = ref.length;
    this.tail += 1;
  }

  /** The i-th pending entry (0 is the head). */
  at(i: number): EntryRef | undefined {
    const at = this.head + i;
    if (i < 0 || at >= this.tail) return undefined;
    return {
      seq: this.seqs[at] as number,
      offset: this.offsets[at] as number,
      length: this.lengths[at] as number,
    };
  }

  shift(): void {
    if (this.head < this.tail) this.head += 1;
  }

  /** Position (0 = head) of the entry with this sequence number; -1 when it is not pending. */
  indexOf(seq: number): number {
    // Sequence numbers only grow, so the arrays are sorted: binary search.
    let low = this.head;
    let high = this.tail - 1;
    while (low <= high) {
      const mid = (low + high) >>> 1;
      const found = this.seqs[mid] as number;
      if (found === seq) return mid - this.head;
      // Stryker disable next-line EqualityOperator: found === seq has returned just above
      if (found < seq) low = mid + 1;
      else high = mid - 1;
    }
    return -1;
  }

  removeAt(i: number): void {
    const at = this.head + i;
    if (i < 0 || at >= this.tail) return;
    this.seqs.copyWithin(at, at + 1, this.tail);
    this.offsets.copyWithin(at, at + 1, this.tail);
    this.lengths.copyWithin(at, at + 1, this.tail);
    this.tail -= 1;
  }

  toArray(): EntryRef[] {
    return this.slice(0, this.size);
  }

  /** Entries from..to-1 (0 = head). */
  slice(from: number, to: number): EntryRef[] {
    const out: EntryRef[] = [];
    for (let i = from; i < Math.min(to, this.size); i += 1) out.push(this.at(i) as EntryRef);
    return out;
  }

  /** Reuses the delivered front when it is most of the arrays; doubles them otherwise. */
  private makeRoom(): void {
    const size = this.size;
    // Stryker disable next-line ConditionalExpression,EqualityOperator: how much memory is kept, not what the queue holds
    const capacity = size * 2 > this.seqs.length ? this.seqs.length * 2 : this.seqs.length;
    const move = <T extends Float64Array | Uint32Array>(from: T, make: (n: number) => T): T => {
      // Stryker disable next-line ConditionalExpression: a new array of the same size holds the same entries
      const to = capacity === from.length ? from : make(capacity);
      to.set(from.subarray(this.head, this.tail));
      return to;
    };
    this.seqs = move(this.seqs, (n) => new Float64Array(n));
    this.offsets = move(this.offsets, (n) => new Float64Array(n));
    this.lengths = move(this.lengths, (n) => new Uint32Array(n));
    this.head = 0;
    this.tail = size;
  }
}
