import { GatewayError } from '../sdk/errors.js';
import type { Interceptor } from './interceptor.js';

export interface Bulkhead {
  readonly interceptor: Interceptor;
  stats(): { active: number; queued: number; maxConcurrent: number; maxQueue: number };
}

/**
 * Limits concurrent calls to a service; up to `maxQueue` more wait in order. Beyond that a call is
 * refused at once with `BULKHEAD_FULL`. A waiting call whose signal aborts leaves the queue.
 *
 * @example const limit = bulkhead({ maxConcurrent: 16, maxQueue: 64 });
 */
export function bulkhead(options: { maxConcurrent: number; maxQueue: number }): Bulkhead {
  let active = 0;
  const queue: { resolve: () => void; reject: (error: unknown) => void }[] = [];

  const release = () => {
    const waiter = queue.shift();
    if (waiter) waiter.resolve();
    else active--;
  };

  const interceptor: Interceptor = (next) => async (call) => {
    if (active < options.maxConcurrent) active++;
    else if (queue.length >= options.maxQueue) {
      throw new GatewayError(
        'BULKHEAD_FULL',
        `too many calls: ${active} running and ${queue.length} waiting (limits: bulkhead.max_concurrent ${options.maxConcurrent}, max_queue ${options.maxQueue}) — retry shortly or raise the limits`,
        { service: call.service, retryAfterMs: 1000 },
      );
    } else {
      await new Promise<void>((resolve, reject) => {
        const onAbort = () => {
          const index = queue.indexOf(waiter);
          if (index >= 0) {
            queue.splice(index, 1);
            reject(call.signal.reason);
          }
        };
        // The listener goes away when the call leaves the queue, so a long-lived signal never collects them.
        const waiter = {
          resolve: () => {
            call.signal.removeEventListener('abort', onAbort);
            resolve();
          },
          reject,
        };
        queue.push(waiter);
        call.signal.addEventListener('abort', onAbort, { once: true });
      });
    }
    try {
      return await next(call);
    } finally {
      release();
    }
  };
  return {
    interceptor,
    stats: () => ({ active, queued: queue.length, maxConcurrent: options.maxConcurrent, maxQueue: options.maxQueue }),
  };
}
