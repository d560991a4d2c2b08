/**
 * Serializes work per key (a file's real path) inside one service, so two edits of the same file do
 * not both read the old content and the second silently drops the first. Keys are forgotten when idle.
 *
 * @example const lock = new KeyLock(); await lock.run('/srv/ws/a.md', () => edit());
 */
export class KeyLock {
  readonly #tails = new Map<string, Promise<unknown>>();

  async run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(key) ?? Promise.resolve();
    const current = previous.then(work, work);
    const tail = current.catch(() => {});
    this.#tails.set(key, tail);
    try {
      return await current;
    } finally {
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    }
  }
}
