import { tracingChannel } from 'node:diagnostics_channel';
import type { Era, Principal } from '../sdk/service-type.js';

/**
 * One call as observers see it (metrics, tracing, the audit log). The dispatcher publishes it on
 * {@link callChannel}; `result` or `error` is set when the call settles. Observers keep their own state
 * on it under their own symbol keys. Nothing is built when no one subscribes.
 */
export interface CallEvent {
  readonly service: string;
  /** `tools/call`, `prompts/get` or `resources/read`. */
  readonly method: string;
  /** The public tool / prompt name, or the resource URI. */
  readonly target: string;
  readonly principal: Principal;
  readonly era: Era;
  /** The request's `_meta` (W3C trace context: `traceparent`, `tracestate`). */
  readonly meta: Readonly<Record<string, unknown>> | undefined;
  /** The tool's arguments as the client sent them (untrusted; observers must redact before writing them anywhere). */
  readonly arguments: unknown;
  /** `performance.now()` when the gateway took the call. */
  readonly startedAt: number;
  result?: unknown;
  error?: unknown;
  [observer: symbol]: unknown;
}

/**
 * `node:diagnostics_channel` tracing channel of every tool call, prompt get and resource read. Subscribe to
 * `start` and `asyncEnd` (or `error`); the core never imports its observers.
 *
 * @example callChannel.subscribe({ start(event) {…}, asyncEnd(event) {…}, end() {}, asyncStart() {}, error() {} })
 */
export const callChannel = tracingChannel<unknown, CallEvent>('mcpeg:call');

/** Runs `work` as an observed call. Callers check `callChannel.hasSubscribers` first, so an unobserved call allocates nothing. */
export function observeCall<T>(
  fields: { service: string; method: string; target: string; arguments: unknown; scope: { principal: Principal; era: Era; meta: CallEvent['meta'] } },
  work: () => Promise<T>,
): Promise<T> {
  const event: CallEvent = {
    service: fields.service,
    method: fields.method,
    target: fields.target,
    principal: fields.scope.principal,
    era: fields.scope.era,
    meta: fields.scope.meta,
    arguments: fields.arguments,
    startedAt: performance.now(),
  };
  return callChannel.tracePromise(work, event);
}
