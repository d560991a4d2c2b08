/** Methods that mean the same when sent twice (RFC 9110 §9.2.2): only these are retried. */
const IDEMPOTENT = new Set(['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS']);

/** Statuses worth another try: the server says it is busy, overloaded or briefly unavailable. */
const RETRYABLE_STATUS = new Set([408, 429, 500, 502, 503, 504]);

export const isIdempotent = (method: string) => IDEMPOTENT.has(method.toUpperCase());
export const isRetryableStatus = (status: number) => RETRYABLE_STATUS.has(status);

/**
 * A Retry-After header in milliseconds from now: delay-seconds or an HTTP date. Undefined when absent
 * or unreadable; 0 for a date in the past.
 *
 * @example retryAfterMs('3') // 3000
 */
export function retryAfterMs(header: string | null, now = Date.now()): number | undefined {
  if (header === null) return undefined;
  const text = header.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

/**
 * Exponential backoff with jitter: a random delay between half and all of `initial · 2^attempt`,
 * capped at `max` (attempt 0 is the first retry). Jitter keeps many clients from retrying in lockstep.
 *
 * @example backoffMs(2, 200, 5000) // somewhere in [400, 800]
 */
export function backoffMs(attempt: number, initialMs: number, maxMs: number, random = Math.random): number {
  const ceiling = Math.min(maxMs, initialMs * 2 ** attempt);
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/** Waits `ms`, or rejects with the signal's reason as soon as it aborts. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
