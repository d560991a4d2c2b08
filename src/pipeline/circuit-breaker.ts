import { GatewayError, isGatewayError } from '../sdk/errors.js';
import type { Interceptor } from './interceptor.js';

export type BreakerState = 'closed' | 'open' | 'half_open';

export interface CircuitBreakerOptions {
  /** Consecutive failures that open the circuit. */
  readonly threshold: number;
  /** How long it stays open before one probe call is let through. */
  readonly openMs: number;
  readonly now?: () => number;
  readonly onStateChange?: (state: BreakerState) => void;
}

/**
 * Errors that say nothing about the backend's health: they never trip the breaker. Start failures
 * are excluded too: the service host has its own backoff for those, and a breaker opened by the
 * refusals during that backoff would outlast the recovery.
 */
const NOT_BACKEND_FAILURES = new Set([
  'INVALID_ARGUMENTS',
  'CALL_CANCELLED',
  'BULKHEAD_FULL',
  'MEMORY_PRESSURE',
  // A rate limit refused the call before it reached the backend (a service type's own, like rest's rate_limit:).
  'RATE_LIMITED',
  'UNKNOWN_TOOL',
  'UNKNOWN_PROMPT',
  'UNKNOWN_RESOURCE',
  'INVALID_CURSOR',
  'SERVICE_UNAVAILABLE',
  'SERVICE_START_FAILED',
  'SERVICE_STOPPING',
  'DRIVER_MISSING',
]);

/** A circuit breaker you can read (for health and metrics) and use as an interceptor. */
export interface CircuitBreaker {
  readonly interceptor: Interceptor;
  state(): BreakerState;
  failures(): number;
}

/**
 * Opens after `threshold` consecutive backend failures; while open, calls fail at once with
 * `CIRCUIT_OPEN`; after `openMs` a single probe decides between closing and opening again.
 * Client cancellations and bad arguments do not count.
 *
 * @example const breaker = circuitBreaker({ threshold: 5, openMs: 60_000 });
 */
export function circuitBreaker(options: CircuitBreakerOptions): CircuitBreaker {
  const now = options.now ?? Date.now;
  let state: BreakerState = 'closed';
  let consecutive = 0;
  let openedAt = 0;
  let probing = false;
  const setState = (next: BreakerState) => {
    if (next !== state) {
      state = next;
      options.onStateChange?.(next);
    }
  };

  const interceptor: Interceptor = (next) => async (call) => {
    if (state === 'open') {
      const remaining = openedAt + options.openMs - now();
      if (remaining > 0 || probing) {
        throw new GatewayError(
          'CIRCUIT_OPEN',
          `circuit open after ${consecutive} consecutive failures — calls are refused for ${Math.ceil(Math.max(remaining, 0) / 1000)} s more, then one probe is tried`,
          { service: call.service, retryAfterMs: Math.max(remaining, 0) },
        );
      }
      setState('half_open');
    }
    const isProbe = state === 'half_open';
    if (isProbe && probing) {
      throw new GatewayError('CIRCUIT_OPEN', 'circuit half-open: a probe call is deciding whether the service recovered', {
        service: call.service,
        retryAfterMs: 1000,
      });
    }
    if (isProbe) probing = true;
    try {
      const result = await next(call);
      consecutive = 0;
      setState('closed');
      return result;
    } catch (error) {
      const clientSide =
        (isGatewayError(error) && NOT_BACKEND_FAILURES.has(error.code)) ||
        (call.signal.aborted && !isGatewayError(call.signal.reason));
      if (!clientSide) {
        consecutive++;
        if (isProbe || consecutive >= options.threshold) {
          openedAt = now();
          setState('open');
        }
      } else if (isProbe) setState('open');
      throw error;
    } finally {
      if (isProbe) probing = false;
    }
  };
  return { interceptor, state: () => state, failures: () => consecutive };
}
