/** What a line longer than the limit left behind: its size and both ends (for an id to answer). */
export interface OversizedLine {
  readonly bytes: number;
  readonly head: string;
  readonly tail: string;
}

const EDGE = 512;

/**
 * Splits a byte stream into newline-terminated lines without ever holding more than `maxBytes` of
 * one line: a longer line is reported (size, head and tail) and discarded as it streams past, so a
 * child that writes a gigabyte without a newline costs `maxBytes` of memory, not a gigabyte.
 *
 * @example
 * const reader = new LineReader(1_000_000, (line) => handle(line), (big) => reject(big));
 * child.stdout.on('data', (chunk) => reader.push(chunk));
 */
export class LineReader {
  readonly #maxBytes: number;
  readonly #onLine: (line: string) => void;
  readonly #onOversized: (line: OversizedLine) => void;
  #chunks: Buffer[] = [];
  #length = 0;
  /** Set while discarding a line that went over the limit. */
  #overflow: { bytes: number; head: string; tail: Buffer } | undefined;

  constructor(maxBytes: number, onLine: (line: string) => void, onOversized: (line: OversizedLine) => void) {
    this.#maxBytes = maxBytes;
    this.#onLine = onLine;
    this.#onOversized = onOversized;
  }

  push(chunk: Buffer): void {
    let start = 0;
    while (start < chunk.length) {
      const newline = chunk.indexOf(0x0a, start);
      const end = newline === -1 ? chunk.length : newline;
      this.#append(chunk.subarray(start, end));
      if (newline === -1) return;
      this.#finishLine();
      start = newline + 1;
    }
  }

  /** Text of an unterminated last line, when the stream ends. */
  flush(): void {
    if (this.#length > 0 || this.#overflow) this.#finishLine();
  }

  #append(piece: Buffer) {
    if (piece.length === 0) return;
    if (this.#overflow) {
      this.#overflow.bytes += piece.length;
      this.#overflow.tail = Buffer.concat([this.#overflow.tail, piece]).subarray(-EDGE);
      return;
    }
    if (this.#length + piece.length > this.#maxBytes) {
      const buffered = Buffer.concat([...this.#chunks, piece]);
      this.#overflow = { bytes: buffered.length, head: buffered.subarray(0, EDGE).toString('utf8'), tail: buffered.subarray(-EDGE) };
      this.#chunks = [];
      this.#length = 0;
      return;
    }
    this.#chunks.push(piece);
    this.#length += piece.length;
  }

  #finishLine() {
    if (this.#overflow) {
      const { bytes, head, tail } = this.#overflow;
      this.#overflow = undefined;
      this.#onOversized({ bytes, head, tail: tail.toString('utf8') });
      return;
    }
    const line = Buffer.concat(this.#chunks, this.#length).toString('utf8').replace(/\r$/, '');
    this.#chunks = [];
    this.#length = 0;
    this.#onLine(line);
  }
}

/**
 * The JSON-RPC id of a message, read from the first or last bytes of its text (where serializers put
 * it), for answering a response that was too large to parse. `undefined` when neither end shows one.
 */
export function idOfOversized(line: OversizedLine): string | number | undefined {
  const patterns = [/^\s*\{\s*"jsonrpc"\s*:\s*"2\.0"\s*,\s*"id"\s*:\s*(-?\d+|"(?:[^"\\]|\\.){0,200}")/, /"id"\s*:\s*(-?\d+|"(?:[^"\\]|\\.){0,200}")\s*\}\s*$/];
  for (const [index, pattern] of patterns.entries()) {
    const match = pattern.exec(index === 0 ? line.head : line.tail);
    if (match) return match[1]!.startsWith('"') ? (JSON.parse(match[1]!) as string) : Number(match[1]);
  }
  return undefined;
}
