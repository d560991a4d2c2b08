/**
 * The runs of a service still going, so that stopping the service can wait until their process
 * groups are gone (SIGTERM, then SIGKILL after kill_grace) instead of leaving them behind.
 *
 * @example const end = tracker.begin(); try { await run(); } finally { end(); } … await tracker.drained(signal);
 */
export class RunTracker {
  readonly #active = new Set<() => void>();
  #idle: Promise<void> = Promise.resolve();
  #wake: (() => void) | undefined;

  get size(): number {
    return this.#active.size;
  }

  /** Marks a run as started; call the returned function once it has ended. */
  begin(): () => void {
    if (this.#active.size === 0) this.#idle = new Promise((resolve) => (this.#wake = resolve));
    const end = () => {
      if (!this.#active.delete(end)) return;
      if (this.#active.size === 0) this.#wake?.();
    };
    this.#active.add(end);
    return end;
  }

  /** Resolves when no run is going, or when `signal` aborts (whichever comes first). */
  drained(signal: AbortSignal): Promise<void> {
    if (this.#active.size === 0 || signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        signal.removeEventListener('abort', done);
        resolve();
      };
      signal.addEventListener('abort', done, { once: true });
      void this.#idle.then(done);
    });
  }
}
