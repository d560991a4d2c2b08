import { randomUUID } from 'node:crypto';
import { GatewayError } from '../../sdk/errors.js';
import type { UpstreamCall } from './upstream-call.js';

type AnyCall = UpstreamCall<unknown>;

/**
 * Upstream calls waiting for a modern client to answer a sampling / elicitation / roots request
 * (the client got `input_required` and is expected to retry). Each waits at most `input_timeout`;
 * then it is cancelled upstream. The id goes into the integrity-protected request state, so only
 * the gateway's own state can name a parked call. In memory: a retry that reaches another gateway
 * replica, or a restarted one, finds nothing and is told to call again.
 */
export class ParkedCalls {
  readonly #service: string;
  readonly #timeoutMs: number;
  readonly #max: number;
  readonly #parked = new Map<string, { call: AnyCall; timer: NodeJS.Timeout }>();

  constructor(options: { service: string; timeoutMs: number; max?: number }) {
    this.#service = options.service;
    this.#timeoutMs = options.timeoutMs;
    this.#max = options.max ?? 1000;
  }

  get size(): number {
    return this.#parked.size;
  }

  park(call: AnyCall): string {
    if (this.#parked.size >= this.#max) {
      call.controller.abort(new GatewayError('BULKHEAD_FULL', `${this.#max} calls are already waiting for client input; try again later`, { service: this.#service }));
      throw new GatewayError('BULKHEAD_FULL', `${this.#max} calls are already waiting for client input; this one was cancelled — try again later`, { service: this.#service });
    }
    const id = randomUUID();
    const timer = setTimeout(() => {
      this.#parked.delete(id);
      call.controller.abort(
        new GatewayError('CALL_TIMEOUT', `the client did not answer the upstream's request within ${Math.round(this.#timeoutMs / 1000)} s (input_timeout); the upstream call was cancelled`, {
          service: this.#service,
        }),
      );
    }, this.#timeoutMs);
    timer.unref();
    this.#parked.set(id, { call, timer });
    return id;
  }

  /** The parked call named by a verified request state, taken out of the waiting set. */
  take(id: string): AnyCall | undefined {
    const entry = this.#parked.get(id);
    if (!entry) return undefined;
    clearTimeout(entry.timer);
    this.#parked.delete(id);
    return entry.call;
  }

  /** Cancels every waiting call (the service stops). */
  abortAll(reason: unknown): void {
    for (const { call, timer } of this.#parked.values()) {
      clearTimeout(timer);
      call.controller.abort(reason);
    }
    this.#parked.clear();
  }
}
