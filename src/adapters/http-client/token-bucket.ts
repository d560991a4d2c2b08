import { sleep } from './backoff.js';

/** The bucket had no token soon enough: how long until one would have been free. */
export class RateLimitExceeded extends Error {
  override readonly name = 'RateLimitExceeded';
  constructor(readonly waitMs: number) {
    super(`rate limit reached; the next request slot is free in ${Math.ceil(waitMs)} ms`);
  }
}

/**
 * A token bucket shared by every call of one service: `requests` tokens per `perMs`, at most `burst`
 * saved up. A request takes a token; when none is left it reserves the next one and waits for it
 * (fair: first come, first served), unless that wait would exceed `maxWaitMs` — then it fails at once
 * with {@link RateLimitExceeded}. A cancelled wait gives its reservation back.
 *
 * @example const bucket = new TokenBucket({ requests: 10, perMs: 1000, maxWaitMs: 5000 });
 * await bucket.take(signal);
 */
export class TokenBucket {
  readonly #ratePerMs: number;
  readonly #capacity: number;
  readonly #maxWaitMs: number;
  readonly #now: () => number;
  #tokens: number;
  #updated: number;

  constructor(options: { requests: number; perMs: number; burst?: number | undefined; maxWaitMs: number; now?: () => number }) {
    this.#ratePerMs = options.requests / Math.max(options.perMs, 1);
    this.#capacity = options.burst ?? options.requests;
    this.#maxWaitMs = options.maxWaitMs;
    this.#now = options.now ?? Date.now;
    this.#tokens = this.#capacity;
    this.#updated = this.#now();
  }

  async take(signal: AbortSignal): Promise<void> {
    const now = this.#now();
    this.#tokens = Math.min(this.#capacity, this.#tokens + (now - this.#updated) * this.#ratePerMs);
    this.#updated = now;
    this.#tokens -= 1;
    if (this.#tokens >= 0) return;
    const waitMs = -this.#tokens / this.#ratePerMs;
    if (waitMs > this.#maxWaitMs) {
      this.#tokens += 1;
      throw new RateLimitExceeded(waitMs);
    }
    try {
      await sleep(waitMs, signal);
    } catch (error) {
      this.#tokens += 1;
      throw error;
    }
  }
}
