/** What the cache keeps of a response: enough to answer the same GET again. */
export interface CachedResponse {
  readonly status: number;
  readonly headers: readonly (readonly [string, string])[];
  readonly body: Buffer;
  readonly url: string;
}

interface Entry {
  readonly response: CachedResponse;
  readonly expires: number;
  readonly bytes: number;
}

/**
 * A bounded in-memory cache of successful GET responses: at most `maxEntries` responses and
 * `maxBytes` bytes, each kept `ttlMs`; the least recently used go first. Keys are built by the caller
 * from the full URL and the request headers that can change the answer.
 *
 * @example const cache = new ResponseCache({ ttlMs: 300_000, maxEntries: 500, maxBytes: 50e6 });
 */
export class ResponseCache {
  readonly #entries = new Map<string, Entry>();
  readonly #ttlMs: number;
  readonly #maxEntries: number;
  readonly #maxBytes: number;
  readonly #now: () => number;
  #bytes = 0;

  constructor(options: { ttlMs: number; maxEntries: number; maxBytes: number; now?: () => number }) {
    this.#ttlMs = options.ttlMs;
    this.#maxEntries = options.maxEntries;
    this.#maxBytes = options.maxBytes;
    this.#now = options.now ?? Date.now;
  }

  get size(): number {
    return this.#entries.size;
  }

  get(key: string): CachedResponse | undefined {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    this.#entries.delete(key);
    if (entry.expires <= this.#now()) {
      this.#bytes -= entry.bytes;
      return undefined;
    }
    this.#entries.set(key, entry); // most recently used goes last
    return entry.response;
  }

  set(key: string, response: CachedResponse): void {
    const bytes = response.body.length + key.length + 256;
    if (bytes > this.#maxBytes) return;
    this.delete(key);
    this.#entries.set(key, { response, expires: this.#now() + this.#ttlMs, bytes });
    this.#bytes += bytes;
    for (const [oldest, entry] of this.#entries) {
      if (this.#entries.size <= this.#maxEntries && this.#bytes <= this.#maxBytes) break;
      this.#entries.delete(oldest);
      this.#bytes -= entry.bytes;
    }
  }

  delete(key: string): void {
    const entry = this.#entries.get(key);
    if (!entry) return;
    this.#entries.delete(key);
    this.#bytes -= entry.bytes;
  }

  clear(): void {
    this.#entries.clear();
    this.#bytes = 0;
  }
}

/** Response headers that forbid keeping a copy. */
export function mayStore(headers: Headers): boolean {
  const control = (headers.get('cache-control') ?? '').toLowerCase();
  return !/\b(no-store|private)\b/.test(control);
}
