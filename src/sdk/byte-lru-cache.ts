/** Bytes counted for one cached entry besides its key and value text (map slot, object, numbers). */
const ENTRY_OVERHEAD = 96;

/**
 * A least-recently-used cache bounded by bytes (and optionally by entries): the key counts two bytes
 * per UTF-16 unit, the value what `sizeOf` says, plus a fixed overhead per entry. An entry larger than
 * the whole budget is not cached; a budget of 0 caches nothing. Used by the memory plugin's read cache
 * and the HTTP services' response cache; plugins may use it too.
 *
 * @example
 * const cache = new ByteLruCache<string>(1_000_000, (value) => value.length * 2);
 * cache.set('k', 'v'); cache.get('k') // 'v'
 */
export class ByteLruCache<V> {
  readonly #entries = new Map<string, { value: V; bytes: number }>();
  readonly #maxBytes: number;
  readonly #sizeOf: (value: V) => number;
  readonly #maxEntries: number;
  #bytes = 0;
  hits = 0;
  misses = 0;

  constructor(maxBytes: number, sizeOf: (value: V) => number, options: { maxEntries?: number } = {}) {
    this.#maxBytes = maxBytes;
    this.#sizeOf = sizeOf;
    this.#maxEntries = options.maxEntries ?? Number.POSITIVE_INFINITY;
  }

  get bytes(): number {
    return this.#bytes;
  }

  get size(): number {
    return this.#entries.size;
  }

  get maxBytes(): number {
    return this.#maxBytes;
  }

  get(key: string): V | undefined {
    const entry = this.#entries.get(key);
    if (!entry) {
      this.misses++;
      return undefined;
    }
    // A Map iterates in insertion order: re-inserting moves the entry to the most recent end.
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    this.hits++;
    return entry.value;
  }

  set(key: string, value: V): void {
    this.delete(key);
    const bytes = key.length * 2 + this.#sizeOf(value) + ENTRY_OVERHEAD;
    if (bytes > this.#maxBytes) return;
    this.#entries.set(key, { value, bytes });
    this.#bytes += bytes;
    for (const [oldest, entry] of this.#entries) {
      if (this.#bytes <= this.#maxBytes && this.#entries.size <= this.#maxEntries) break;
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

  /** Drops every entry whose key starts with `prefix` (all of them for ''). */
  clear(prefix = ''): void {
    if (prefix === '') {
      this.#entries.clear();
      this.#bytes = 0;
      return;
    }
    for (const [key, entry] of this.#entries) {
      if (!key.startsWith(prefix)) continue;
      this.#entries.delete(key);
      this.#bytes -= entry.bytes;
    }
  }
}
