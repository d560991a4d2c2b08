/** The limit and its queue are both full: the caller should retry later. */
export class LimitFull extends Error {
  override readonly name = 'LimitFull';
  constructor(
    readonly running: number,
    readonly waiting: number,
  ) {
    super(`${running} running and ${waiting} waiting`);
  }
}

/**
 * At most `max` runs at once; up to `queue` more wait in order; beyond that a run is refused at once
 * with {@link LimitFull}. A waiting run whose signal aborts leaves the queue.
 *
 * @example const limit = new ConcurrencyLimit(1, 4); await limit.run(signal, () => work());
 */
export class ConcurrencyLimit {
  readonly max: number;
  readonly queue: number;
  #active = 0;
  readonly #waiting: { resolve: () => void }[] = [];

  constructor(max: number, queue: number) {
    this.max = max;
    this.queue = queue;
  }

  get active(): number {
    return this.#active;
  }

  get waiting(): number {
    return this.#waiting.length;
  }

  async run<T>(signal: AbortSignal, work: () => Promise<T>): Promise<T> {
    if (this.#active < this.max) this.#active++;
    else if (this.#waiting.length >= this.queue) throw new LimitFull(this.#active, this.#waiting.length);
    else await this.#wait(signal);
    try {
      return await work();
    } finally {
      const next = this.#waiting.shift();
      if (next) next.resolve();
      else this.#active--;
    }
  }

  #wait(signal: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (signal.aborted) return reject(signal.reason);
      const waiter = {
        resolve: () => {
          signal.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      const onAbort = () => {
        const index = this.#waiting.indexOf(waiter);
        if (index >= 0) this.#waiting.splice(index, 1);
        reject(signal.reason);
      };
      this.#waiting.push(waiter);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }
}
