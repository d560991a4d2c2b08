import { ByteLruCache } from '../../sdk/index.js';

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
}

/**
 * A bounded in-memory cache of successful GET responses: at most `maxEntries` responses and
 * `maxBytes` bytes, each kept `ttlMs`; the least recently used go first. Keys are built by the caller
 * from the full URL and the request headers that can change the answer.
 *
 * @example const cache = new ResponseCache({ ttlMs: 300_000, maxEntries: 500, maxBytes: 50e6 });
 */
export class ResponseCache {
  readonly #entries: ByteLruCache<Entry>;
  readonly #ttlMs: number;
  readonly #now: () => number;

  constructor(options: { ttlMs: number; maxEntries: number; maxBytes: number; now?: () => number }) {
    this.#ttlMs = options.ttlMs;
    this.#now = options.now ?? Date.now;
    // Headers and URL are counted by a flat allowance; the body by its length.
    this.#entries = new ByteLruCache<Entry>(options.maxBytes, (entry) => entry.response.body.length + 256, { maxEntries: options.maxEntries });
  }

  get size(): number {
    return this.#entries.size;
  }

  get(key: string): CachedResponse | undefined {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    if (entry.expires > this.#now()) return entry.response;
    this.#entries.delete(key);
    return undefined;
  }

  set(key: string, response: CachedResponse): void {
    this.#entries.set(key, { response, expires: this.#now() + this.#ttlMs });
  }

  delete(key: string): void {
    this.#entries.delete(key);
  }

  clear(): void {
    this.#entries.clear();
  }
}

/** Response headers that forbid keeping a copy. */
export function mayStore(headers: Headers): boolean {
  const control = (headers.get('cache-control') ?? '').toLowerCase();
  return !/\b(no-store|private)\b/.test(control);
}
