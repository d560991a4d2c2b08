import { GatewayError } from '../sdk/errors.js';
import { CallAbort } from './call-abort.js';
import { abortableCall, type Call, type Interceptor } from './interceptor.js';

/**
 * Bounds a call: after `ms` the call is aborted (so the backend work stops) and the caller gets
 * `CALL_TIMEOUT` at once, whether or not the backend honours the abort.
 *
 * @example timeout({ ms: 30_000 })
 */
export function timeout(options: { ms: number }): Interceptor {
  return (next) => async (call) => {
    // The caller's own abort when it lends one (then no AbortSignal is made); otherwise one linked to its signal.
    const link = call.abort && call.onAbort ? undefined : CallAbort.linkedTo(call.signal);
    const own: Call = link ? abortableCall(call.service, call.method, call.target, link.abort) : call;
    // The error (and its stack) is built only when the timer fires: most calls never need it.
    const timer = setTimeout(
      () =>
        own.abort!(
          new GatewayError('CALL_TIMEOUT', `${call.method} ${call.target} timed out after ${options.ms} ms`, {
            service: call.service,
            data: { timeoutMs: options.ms },
          }),
        ),
      options.ms,
    );
    let stopListening: (() => void) | undefined;
    const aborted = new Promise<never>((_, reject) => {
      stopListening = own.onAbort!(reject);
    });
    try {
      return await Promise.race([next(own), aborted]);
    } finally {
      clearTimeout(timer);
      link?.unlink();
      stopListening?.();
      aborted.catch(() => {});
    }
  };
}
