import { StringDecoder } from 'node:string_decoder';

/**
 * Keeps the first `cap` bytes of a stream and counts the rest, so a chatty program can neither
 * exhaust memory nor block on a full pipe (the rest is read and dropped).
 *
 * @example const out = new CappedOutput(10); out.push(Buffer.from('hello world!')); out.text() // 'hello worl'
 */
export class CappedOutput {
  readonly #cap: number;
  readonly #chunks: Buffer[] = [];
  #kept = 0;
  #total = 0;

  constructor(cap: number) {
    this.#cap = cap;
  }

  push(chunk: Buffer): void {
    this.#total += chunk.length;
    const room = this.#cap - this.#kept;
    if (room <= 0) return;
    const kept = chunk.length <= room ? chunk : chunk.subarray(0, room);
    this.#chunks.push(kept);
    this.#kept += kept.length;
  }

  /** Every byte the stream carried, kept or not. */
  get totalBytes(): number {
    return this.#total;
  }

  get truncated(): boolean {
    return this.#total > this.#kept;
  }

  /** The kept bytes as UTF-8; a character cut in half at the cap is dropped rather than garbled. */
  text(): string {
    const buffer = Buffer.concat(this.#chunks);
    return buffer.subarray(0, this.truncated ? utf8Boundary(buffer) : buffer.length).toString('utf8');
  }
}

/** Keeps the last `size` bytes of a stream: the end of stderr explains a failure. */
export class TailBuffer {
  readonly #size: number;
  #buffer = Buffer.alloc(0);

  constructor(size: number) {
    this.#size = size;
  }

  push(chunk: Buffer): void {
    const joined = this.#buffer.length + chunk.length > this.#size * 2 ? Buffer.concat([this.#buffer, chunk]).subarray(-this.#size) : Buffer.concat([this.#buffer, chunk]);
    this.#buffer = joined;
  }

  /** The last `lines` non-empty lines (at most `size` bytes), trimmed. */
  lines(lines: number): string[] {
    let buffer = this.#buffer.subarray(-this.#size);
    // Drop a partial UTF-8 character at the start of the window.
    let start = 0;
    while (start < buffer.length && start < 3 && (buffer[start]! & 0xc0) === 0x80) start++;
    buffer = buffer.subarray(start);
    return buffer
      .toString('utf8')
      .split(/\r\n|\n|\r/)
      .map((line) => line.trimEnd())
      .filter((line) => line !== '')
      .slice(-lines);
  }
}

/**
 * Splits a byte stream into lines (`\n`, `\r\n`, or a lone `\r` as progress bars use), decoding UTF-8
 * across chunk boundaries. A line longer than `maxLine` characters is cut there.
 */
export class LineSplitter {
  readonly #decoder = new StringDecoder('utf8');
  readonly #onLine: (line: string) => void;
  readonly #maxLine: number;
  #partial = '';

  constructor(onLine: (line: string) => void, maxLine = 4096) {
    this.#onLine = onLine;
    this.#maxLine = maxLine;
  }

  push(chunk: Buffer): void {
    this.#feed(this.#decoder.write(chunk));
  }

  flush(): void {
    this.#feed(this.#decoder.end());
    if (this.#partial !== '') this.#onLine(this.#partial);
    this.#partial = '';
  }

  #feed(text: string) {
    const pieces = (this.#partial + text).split(/\r\n|\n|\r/);
    this.#partial = pieces.pop() ?? '';
    if (this.#partial.length > this.#maxLine) this.#partial = this.#partial.slice(0, this.#maxLine);
    for (const line of pieces) this.#onLine(line.length > this.#maxLine ? line.slice(0, this.#maxLine) : line);
  }
}

/** The length of `buffer` without a UTF-8 sequence left incomplete at its end. */
function utf8Boundary(buffer: Buffer): number {
  let end = buffer.length;
  let back = 0;
  while (back < 4 && end - back - 1 >= 0 && (buffer[end - back - 1]! & 0xc0) === 0x80) back++;
  const lead = buffer[end - back - 1];
  if (lead === undefined) return end;
  const expected = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
  if (expected > back + 1) end = end - back - 1;
  return end;
}
