/** Where the bytes go: resolves with how many it took (a file may take fewer than it was given). */
type Sink = (data: Uint8Array) => Promise<{ bytesWritten: number }>;

/** The piece each write gets: small enough that no batch ever needs memory of its own size. */
export const CHUNK_BYTES = 64 * 1024;

/**
 * Writes a stream of lines through one buffer it keeps, a piece at a time. Joining a batch first
 * makes a string and a Buffer the size of the whole batch (about 6 MB for the inspector's 1,000
 * records of 4 KB bodies, once a second), and serialising it all at once holds the event loop for as
 * long; here the batch costs one 64 KB buffer, and requests are answered between its pieces. A line
 * longer than the buffer goes alone. One write at a time: a caller that starts another before this one
 * ends must wait for it.
 */
export class ChunkWriter {
  private chunk: Buffer | undefined;

  constructor(private readonly size = CHUNK_BYTES) {}

  async write(sink: Sink, lines: Iterable<string>): Promise<void> {
    // Kept for the life of the writer: the same memory serves every batch.
    this.chunk ??= Buffer.allocUnsafeSlow(this.size);
    const chunk = this.chunk;
    let used = 0;
    for (const line of lines) {
      const bytes = Buffer.byteLength(line) + 1;
      if (used > 0 && used + bytes > chunk.length) {
        await writeAll(sink, chunk.subarray(0, used));
        used = 0;
      }
      if (bytes > chunk.length) {
        await writeAll(sink, Buffer.from(`${line}\n`));
        continue;
      }
      used += chunk.write(line, used);
      chunk[used] = 10;
      used += 1;
    }
    if (used > 0) await writeAll(sink, chunk.subarray(0, used));
  }
}

async function writeAll(sink: Sink, data: Uint8Array): Promise<void> {
  for (let offset = 0; offset < data.length; ) {
    const { bytesWritten } = await sink(data.subarray(offset));
    // Stryker disable next-line all: a regular file takes 0 bytes only when given 0; this bounds the loop should one ever not
    if (bytesWritten <= 0) throw new Error("the disk accepted no more bytes (is it full?)");
    offset += bytesWritten;
  }
}
