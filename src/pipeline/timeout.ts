import { GatewayError } from '../sdk/errors.js';
import type { Interceptor } from './interceptor.js';
import { linkedAbort } from './linked-abort.js';

/**
 * Bounds a call: after `ms` the call's signal is aborted (so the backend work stops) and the caller
 * gets `CALL_TIMEOUT` at once, whether or not the backend honours the signal.
 *
 * @example timeout({ ms: 30_000 })
 */
export function timeout(options: { ms: number }): Interceptor {
  return (next) => async (call) => {
    const link = linkedAbort(call.signal);
    const { controller } = link;
    // The error (and its stack) is built only when the timer fires: most calls never need it.
    const timer = setTimeout(
      () =>
        controller.abort(
          new GatewayError('CALL_TIMEOUT', `${call.method} ${call.target} timed out after ${options.ms} ms`, {
            service: call.service,
            data: { timeoutMs: options.ms },
          }),
        ),
      options.ms,
    );
    const signal = controller.signal;
    let onAbort: (() => void) | undefined;
    const aborted = new Promise<never>((_, reject) => {
      onAbort = () => reject(signal.reason);
      if (signal.aborted) onAbort();
      else signal.addEventListener('abort', onAbort, { once: true });
    });
    try {
      return await Promise.race([next({ ...call, signal }), aborted]);
    } finally {
      clearTimeout(timer);
      link.unlink();
      if (onAbort) signal.removeEventListener('abort', onAbort);
      aborted.catch(() => {});
    }
  };
}
