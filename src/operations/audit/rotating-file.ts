import { type FileHandle, open, rename, stat } from 'node:fs/promises';

/**
 * An append-only file that rotates by size: when a write would take it past `maxBytes`, `path` becomes
 * `path.1` (`path.1` → `path.2` …, the oldest beyond `keep` deleted by the rename over it) and a new file
 * starts. Writes are queued and written in order by one writer, so a line is never split nor lost across a
 * rotation; `close()` flushes what is queued.
 *
 * @example const file = new RotatingFile({ path: 'audit.jsonl', maxBytes: 10e6, keep: 5 }); file.write('{"a":1}\n');
 */
export class RotatingFile {
  readonly path: string;
  readonly #maxBytes: number;
  readonly #keep: number;
  readonly #maxQueued: number;
  readonly #onError: (error: Error) => void;
  #queue: string[] = [];
  #handle: FileHandle | undefined;
  #size = 0;
  #writing: Promise<void> | undefined;
  #closed = false;
  /** Lines dropped because the disk did not keep up (the queue was full) or writing failed. */
  dropped = 0;

  constructor(options: { path: string; maxBytes: number; keep: number; maxQueued?: number; onError?: (error: Error) => void }) {
    this.path = options.path;
    this.#maxBytes = options.maxBytes;
    this.#keep = options.keep;
    this.#maxQueued = options.maxQueued ?? 100_000;
    this.#onError = options.onError ?? (() => {});
  }

  /** Queues one line (it must end with a newline). */
  write(line: string): void {
    if (this.#closed) return;
    if (this.#queue.length >= this.#maxQueued) {
      this.dropped++;
      return;
    }
    this.#queue.push(line);
    this.#kick();
  }

  #kick() {
    this.#writing ??= this.#drain().finally(() => {
      this.#writing = undefined;
      if (this.#queue.length > 0) this.#kick();
    });
  }

  /** Resolves when everything queued so far is on disk (written; not fsynced). */
  async flush(): Promise<void> {
    while (this.#writing) await this.#writing;
  }

  async #drain(): Promise<void> {
    while (this.#queue.length > 0) {
      const batch = this.#queue;
      this.#queue = [];
      try {
        for (const line of batch) {
          const bytes = Buffer.byteLength(line);
          this.#handle ??= await this.#open();
          if (this.#size > 0 && this.#size + bytes > this.#maxBytes) {
            await this.#rotate();
            this.#handle = await this.#open();
          }
          await this.#handle.write(line);
          this.#size += bytes;
        }
      } catch (error) {
        this.dropped += batch.length;
        this.#onError(error as Error);
        await this.#handle?.close().catch(() => {});
        this.#handle = undefined;
      }
    }
  }

  async #open(): Promise<FileHandle> {
    const handle = await open(this.path, 'a', 0o640);
    this.#size = (await handle.stat()).size;
    return handle;
  }

  async #rotate(): Promise<void> {
    await this.#handle?.close();
    this.#handle = undefined;
    for (let index = this.#keep - 1; index >= 1; index--) {
      const from = `${this.path}.${index}`;
      if (await exists(from)) await rename(from, `${this.path}.${index + 1}`);
    }
    await rename(this.path, `${this.path}.1`);
    this.#size = 0;
  }

  async close(): Promise<void> {
    await this.flush();
    this.#closed = true;
    await this.#handle?.close();
    this.#handle = undefined;
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}
