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
    // The caller's own abort when it lends it (then no signal is made); otherwise a controller linked to the caller's signal.
    const lent = call.abort !== undefined && call.onAbort !== undefined;
    const link = call.abort ? undefined : linkedAbort(call.signal);
    const abort = call.abort ?? ((reason: unknown) => link!.controller.abort(reason));
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
    let stopListening: (() => void) | undefined;
    const aborted = new Promise<never>((_, reject) => {
      if (lent) {
        stopListening = call.onAbort!(reject);
        return;
      }
      const signal = link ? link.controller.signal : call.signal;
      const onAbort = () => reject(signal.reason);
      if (signal.aborted) onAbort();
      else {
        signal.addEventListener('abort', onAbort, { once: true });
        stopListening = () => signal.removeEventListener('abort', onAbort);
      }
    });
    try {
      return await Promise.race([next(link ? { ...call, signal: link.controller.signal, abort } : call), aborted]);
    } finally {
      clearTimeout(timer);
      link?.unlink();
      stopListening?.();
      aborted.catch(() => {});
    }
  };
}
