/** A response body read up to a cap. */
export interface CappedBody {
  readonly bytes: Buffer;
  /** True when the body was longer than the cap and reading stopped there. */
  readonly truncated: boolean;
}

/**
 * Reads a response body until it ends or `cap` bytes have arrived, whichever comes first. At the cap it
 * stops reading and cancels the stream, which closes the connection: an endless chunked body costs
 * `cap` bytes, never more. Content-Length is not trusted for the decision (it may lie).
 *
 * @example const { bytes, truncated } = await readCapped(response.body, 1_000_000);
 */
export async function readCapped(body: ReadableStream<Uint8Array> | null, cap: number): Promise<CappedBody> {
  if (!body) return { bytes: Buffer.alloc(0), truncated: false };
  const reader = body.getReader();
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return { bytes: Buffer.concat(chunks, total), truncated: false };
      const room = cap - total;
      if (value.length > room) {
        if (room > 0) chunks.push(Buffer.from(value.buffer, value.byteOffset, room));
        total += Math.max(room, 0);
        await reader.cancel().catch(() => {});
        return { bytes: Buffer.concat(chunks, total), truncated: true };
      }
      chunks.push(Buffer.from(value.buffer, value.byteOffset, value.length));
      total += value.length;
    }
  } finally {
    reader.releaseLock();
  }
}
