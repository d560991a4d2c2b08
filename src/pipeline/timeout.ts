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
    // The caller's own controller when it lends it; otherwise one linked to the caller's signal.
    const link = call.abort ? undefined : linkedAbort(call.signal);
    const abort = call.abort ?? ((reason: unknown) => link!.controller.abort(reason));
    const signal = link ? link.controller.signal : call.signal;
    // The error (and its stack) is built only when the timer fires: most calls never need it.
    const timer = setTimeout(
      () =>
        abort(
          new GatewayError('CALL_TIMEOUT', `${call.method} ${call.target} timed out after ${options.ms} ms`, {
            service: call.service,
            data: { timeoutMs: options.ms },
          }),
        ),
      options.ms,
    );
    let onAbort: (() => void) | undefined;
    const aborted = new Promise<never>((_, reject) => {
      onAbort = () => reject(signal.reason);
      if (signal.aborted) onAbort();
      else signal.addEventListener('abort', onAbort, { once: true });
    });
    try {
      return await Promise.race([next(link ? { ...call, signal, abort } : call), aborted]);
    } finally {
      clearTimeout(timer);
      link?.unlink();
      if (onAbort) signal.removeEventListener('abort', onAbort);
      aborted.catch(() => {});
    }
  };
}
