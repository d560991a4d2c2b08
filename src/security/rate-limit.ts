/** A token bucket: `burst` tokens (default `requests`), refilled at `requests` per `perMs`. */
export interface BucketSpec {
  readonly requests: number;
  readonly perMs: number;
  /** Bucket size (requests allowed at once); defaults to `requests`. */
  readonly burst?: number;
}

export interface RateDecision {
  readonly allowed: boolean;
  /** When refused: how long until one token is back. */
  readonly retryAfterMs: number;
}

/**
 * Where buckets live. The in-process store below serves one gateway; a shared store (Redis) can
 * implement the same contract for replicas behind a load balancer.
 */
export interface RateLimitStore {
  take(key: string, spec: BucketSpec): RateDecision | Promise<RateDecision>;
  /** Whether a token is available, without taking it (failed-auth limits check before verifying). */
  peek(key: string, spec: BucketSpec): RateDecision | Promise<RateDecision>;
}

interface Bucket {
  tokens: number;
  updated: number;
  /** When the bucket is full again if nobody takes from it. */
  fullAt: number;
}

/** Buckets idle long enough to be full again are dropped once the map grows past this. */
const SWEEP_AT = 10_000;

/**
 * Token buckets in this process's memory.
 *
 * @example const store = new MemoryRateLimitStore(); store.take('principal:alice', { requests: 60, perMs: 60_000 });
 */
export class MemoryRateLimitStore implements RateLimitStore {
  readonly #buckets = new Map<string, Bucket>();
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  take(key: string, spec: BucketSpec): RateDecision {
    const now = this.#now();
    const capacity = spec.burst ?? spec.requests;
    const perToken = spec.perMs / spec.requests;
    const bucket = this.#buckets.get(key) ?? { tokens: capacity, updated: now, fullAt: now };
    bucket.tokens = Math.min(capacity, bucket.tokens + (now - bucket.updated) / perToken);
    bucket.updated = now;
    if (!this.#buckets.has(key)) {
      if (this.#buckets.size >= SWEEP_AT) this.#sweep(now);
      this.#buckets.set(key, bucket);
    }
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      bucket.fullAt = now + (capacity - bucket.tokens) * perToken;
      return { allowed: true, retryAfterMs: 0 };
    }
    return { allowed: false, retryAfterMs: Math.ceil((1 - bucket.tokens) * perToken) };
  }

  peek(key: string, spec: BucketSpec): RateDecision {
    const bucket = this.#buckets.get(key);
    if (!bucket) return { allowed: true, retryAfterMs: 0 };
    const capacity = spec.burst ?? spec.requests;
    const perToken = spec.perMs / spec.requests;
    const tokens = Math.min(capacity, bucket.tokens + (this.#now() - bucket.updated) / perToken);
    return tokens >= 1 ? { allowed: true, retryAfterMs: 0 } : { allowed: false, retryAfterMs: Math.ceil((1 - tokens) * perToken) };
  }

  /** Buckets a caller has not touched for longer than a full refill are full: forgetting them changes nothing. */
  #sweep(now: number) {
    for (const [key, bucket] of this.#buckets) if (bucket.fullAt <= now) this.#buckets.delete(key);
  }

  get size(): number {
    return this.#buckets.size;
  }
}
