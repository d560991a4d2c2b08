/** One call travelling down a service's pipeline. */
export interface Call {
  readonly service: string;
  /** What is called: `tools/call`, `resources/read`, `prompts/get`, `completion/complete`. */
  readonly method: string;
  /** The tool / prompt name or resource URI, for messages and metrics. */
  readonly target: string;
  /** Aborted by the client's cancellation, the timeout or shutdown. Interceptors may replace it. */
  readonly signal: AbortSignal;
  /**
   * Aborts the call, when the caller lends its abort state — always together with {@link onAbort}
   * ({@link abortableCall} makes such a call). An interceptor that must stop the call (the timeout)
   * uses them instead of linking an abort of its own.
   */
  readonly abort?: (reason: unknown) => void;
  /**
   * Runs `hook` once when the call aborts, without making `signal` exist (it is made on first read);
   * returns what removes the hook. Lent together with {@link abort}.
   */
  readonly onAbort?: (hook: (reason: unknown) => void) => () => void;
}

/**
 * A call whose signal is `abort`'s, made only when an interceptor or the service reads it. (A class:
 * an object literal with a getter takes V8's slow path, microseconds per call.)
 */
class AbortableCall implements Call {
  readonly abort: (reason: unknown) => void;
  readonly onAbort: (hook: (reason: unknown) => void) => () => void;

  constructor(
    readonly service: string,
    readonly method: string,
    readonly target: string,
    readonly source: CallAbortLike,
  ) {
    this.abort = (reason) => source.abort(reason);
    this.onAbort = (hook) => source.onAbort(hook);
  }

  get signal(): AbortSignal {
    return this.source.signal;
  }
}

export function abortableCall(service: string, method: string, target: string, abort: CallAbortLike): Call {
  return new AbortableCall(service, method, target, abort);
}

/** What {@link abortableCall} needs of a call's abort state (a `CallAbort`, or another call). */
export interface CallAbortLike {
  readonly signal: AbortSignal;
  abort(reason: unknown): void;
  onAbort(hook: (reason: unknown) => void): () => void;
}

/** The rest of the pipeline: runs the call and resolves with its result. */
export type Invoke<T = unknown> = (call: Call) => Promise<T>;

/** An interceptor wraps the rest of the pipeline: `(next) => call`. */
export type Interceptor = <T>(next: Invoke<T>) => Invoke<T>;

/**
 * Composes interceptors so the first one given runs outermost.
 *
 * @example compose([timeout({ ms: 1000 }), bulkhead({ maxConcurrent: 4, maxQueue: 8 })])(handler)
 */
export function compose(interceptors: readonly Interceptor[]): Interceptor {
  return <T>(handler: Invoke<T>) => interceptors.reduceRight<Invoke<T>>((next, interceptor) => interceptor(next), handler);
}
