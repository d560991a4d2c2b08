import type { ServiceConfig } from '../config/model.js';
import { bulkhead } from '../pipeline/bulkhead.js';
import { circuitBreaker } from '../pipeline/circuit-breaker.js';
import { abortableCall, type Call, type CallAbortLike, compose, type Invoke } from '../pipeline/interceptor.js';
import { timeout } from '../pipeline/timeout.js';
import { GatewayError, isGatewayError } from '../sdk/errors.js';
import type { Logger } from '../sdk/logger.js';
import type { ServiceContext, ServiceInstance, ServiceType } from '../sdk/service-type.js';
import { backoffDelay, type Phase, withDeadline } from './lifecycle.js';
import { importDriver } from './import-driver.js';

export interface ServiceHostEvents {
  listChanged(service: string, kind: 'tools' | 'resources' | 'prompts'): void;
  resourceUpdated(service: string, uri: string): void;
  phaseChanged(service: string, phase: Phase, error?: Error): void;
}

/** What `mcpeg status` and health endpoints show of one service. */
export interface ServiceStatus {
  readonly name: string;
  readonly type: string;
  readonly category: string;
  readonly enabled: boolean;
  readonly phase: Phase;
  readonly lastError: { readonly code: string; readonly message: string; readonly at: string } | undefined;
  readonly nextRetryAt: string | undefined;
  readonly restarts: number;
  readonly breaker: string;
  readonly bulkhead: { active: number; queued: number; maxConcurrent: number; maxQueue: number };
}

/**
 * Hosts one configured service: creates its instance (no I/O), starts it lazily on the first call,
 * isolates its failures, restarts it with backoff, and runs every call through its own pipeline
 * (breaker → bulkhead → lazy start → timeout).
 */
export class ServiceHost {
  readonly name: string;
  readonly instance: ServiceInstance;
  /** Started with the gateway rather than on the first call (see ServiceTypeMetadata.eager). */
  readonly eager: boolean;
  readonly #logger: Logger;
  readonly #events: ServiceHostEvents;
  readonly #dependencies: () => readonly ServiceHost[];
  #config: ServiceConfig;
  #breaker;
  #bulkhead;
  #pipeline: <T>(handler: Invoke<T>) => Invoke<T>;
  #phase: Phase = 'loading';
  #starting: Promise<void> | undefined;
  #lastError: { code: string; message: string; at: Date } | undefined;
  #failures = 0;
  #restarts = 0;
  #retryAt = 0;
  #recoveryTimer: NodeJS.Timeout | undefined;
  #disposed = false;

  constructor(options: {
    config: ServiceConfig;
    type: ServiceType<unknown>;
    logger: Logger;
    events: ServiceHostEvents;
    dependencies: () => readonly ServiceHost[];
    /** The config file's folder, handed to the instance (ServiceContext.configDir). */
    configDir?: string | undefined;
  }) {
    const { config, type } = options;
    this.name = config.name;
    this.#config = config;
    this.#logger = options.logger.child({ service: config.name, type: config.type });
    this.#events = options.events;
    this.#dependencies = options.dependencies;
    this.#breaker = this.#newBreaker(config);
    this.#bulkhead = bulkhead(config.bulkhead);
    this.#pipeline = this.#compose();
    const context: ServiceContext<unknown> = {
      name: config.name,
      config: config.config,
      timeoutMs: config.timeoutMs,
      logger: this.#logger,
      importDriver: (specifier) => importDriver(config.name, specifier),
      listChanged: (kind) => this.#events.listChanged(config.name, kind),
      resourceUpdated: (uri) => this.#events.resourceUpdated(config.name, uri),
      reportFailure: (error) => this.reportFailure(error),
      configDir: options.configDir,
    };
    this.eager = type.eager === true;
    try {
      this.instance = type.create(context);
    } catch (error) {
      // A type whose factory throws is isolated: the service exists, failed, with no tools.
      this.instance = {};
      this.#fail(wrap(config.name, 'SERVICE_START_FAILED', 'could not be created', error), false);
    }
  }

  get phase(): Phase {
    return this.#phase;
  }

  /** The service's resolved config; replaced by {@link retune} on a reload that changes only host-level settings. */
  get config(): ServiceConfig {
    return this.#config;
  }

  /**
   * Applies a reloaded config whose instance-level settings are unchanged (breaker, bulkhead, recovery,
   * filters, health checks…): the instance, its pools and processes are kept. A breaker or bulkhead
   * whose settings changed is replaced (its state and queue start afresh; calls already admitted finish).
   */
  retune(config: ServiceConfig): void {
    const previous = this.#config;
    this.#config = config;
    const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
    const breakerChanged = !same(previous.breaker, config.breaker);
    const bulkheadChanged = !same(previous.bulkhead, config.bulkhead);
    if (breakerChanged) this.#breaker = this.#newBreaker(config);
    if (bulkheadChanged) this.#bulkhead = bulkhead(config.bulkhead);
    if (breakerChanged || bulkheadChanged) this.#pipeline = this.#compose();
  }

  #newBreaker(config: ServiceConfig) {
    return circuitBreaker({
      threshold: config.breaker.threshold,
      openMs: config.breaker.timeoutMs,
      onStateChange: (state) => this.#logger.warn({ breaker: state }, `circuit breaker is now ${state}`),
    });
  }

  #compose(): <T>(handler: Invoke<T>) => Invoke<T> {
    return compose([
      this.#breaker.interceptor,
      this.#bulkhead.interceptor,
      (next) => async (call) => {
        await this.ensureStarted();
        return next(call);
      },
      timeout({ ms: this.#config.timeoutMs }),
    ]);
  }

  /** Runs `handler` through this service's pipeline: breaker, bulkhead, lazy start, timeout. */
  /** Runs `handler` through this service's pipeline, as `call` (whose signal stays unmade until read). */
  invoke<T>(call: Call, handler: (call: Call) => Promise<T>): Promise<T> {
    if (this.#disposed) {
      return Promise.reject(
        new GatewayError('SERVICE_STOPPING', 'is shutting down and takes no new calls', { service: this.name }),
      );
    }
    const own: Call = call.abort && call.onAbort ? abortableCall(this.name, call.method, call.target, call as CallAbortLike) : { ...call, service: this.name };
    return this.#pipeline<T>(handler)(own);
  }

  /** Starts the service (and its dependencies first) unless it runs already. Safe to call concurrently. */
  async ensureStarted(): Promise<void> {
    if (this.#phase === 'running') return;
    if (this.#disposed) throw new GatewayError('SERVICE_STOPPING', 'is shutting down', { service: this.name });
    if (this.#starting) return this.#starting;
    if (this.#phase === 'failed') {
      const wait = this.#retryAt - Date.now();
      if (wait > 0) throw this.#unavailable(wait);
    }
    this.#starting = this.#start().finally(() => {
      this.#starting = undefined;
    });
    return this.#starting;
  }

  async #start(): Promise<void> {
    for (const dependency of this.#dependencies()) {
      try {
        await dependency.ensureStarted();
      } catch (error) {
        throw this.#fail(wrap(this.name, 'SERVICE_UNAVAILABLE', `cannot start: its dependency "${dependency.name}" is unavailable`, error));
      }
    }
    this.#setPhase('initializing');
    const started = Date.now();
    try {
      if (this.instance.start) {
        const start = this.instance.start.bind(this.instance);
        await withDeadline(
          this.config.startTimeoutMs,
          () => new GatewayError('SERVICE_START_FAILED', `did not start within ${this.config.startTimeoutMs} ms (start_timeout)`, { service: this.name }),
          start,
        );
      }
    } catch (error) {
      throw this.#fail(wrap(this.name, 'SERVICE_START_FAILED', 'failed to start', error));
    }
    if (this.#disposed) return;
    this.#failures = 0;
    this.#setPhase('running');
    this.#logger.info({ ms: Date.now() - started }, 'service started');
  }

  /** A running instance reports it died (a child exited, a connection dropped for good). */
  reportFailure(error: unknown): void {
    if (this.#disposed || this.#phase === 'failed') return;
    this.#fail(wrap(this.name, 'SERVICE_UNAVAILABLE', 'stopped working', error));
  }

  #fail(error: GatewayError, scheduleRecovery = true): GatewayError {
    this.#failures++;
    const delay = backoffDelay(this.#failures, this.config.recovery.initialDelayMs, this.config.recovery.maxDelayMs);
    this.#retryAt = Date.now() + delay;
    this.#lastError = { code: error.code, message: error.message, at: new Date() };
    this.#setPhase('failed', error);
    this.#logger.error(
      { code: error.code, err: error.cause instanceof Error ? error.cause.message : undefined, retryInMs: delay },
      `${error.message}; isolated — other services are unaffected; next start attempt in ${Math.round(delay / 1000)} s`,
    );
    if (scheduleRecovery && !this.#disposed) this.#scheduleRecovery(delay);
    return error;
  }

  /** After a failure, try again in the background so the service is back before its next call. */
  #scheduleRecovery(delay: number) {
    clearTimeout(this.#recoveryTimer);
    this.#recoveryTimer = setTimeout(() => {
      this.#restarts++;
      // The backoff is over: a timer may fire a millisecond before Date.now() says so, and the
      // retry must not be refused as "too early" (that would leave the service failed for good).
      this.#retryAt = 0;
      this.ensureStarted().catch(() => {});
    }, delay);
    this.#recoveryTimer.unref();
  }

  #unavailable(waitMs: number): GatewayError {
    const reason = this.#lastError ? `: ${this.#lastError.message.replace(`[${this.name}] `, '')}` : '';
    return new GatewayError(
      'SERVICE_UNAVAILABLE',
      `is unavailable${reason} — next start attempt in ${Math.ceil(waitMs / 1000)} s; check the service's log lines and its backend`,
      { service: this.name, retryAfterMs: waitMs },
    );
  }

  #setPhase(phase: Phase, error?: Error) {
    if (this.#phase === phase) return;
    this.#phase = phase;
    this.#events.phaseChanged(this.name, phase, error);
  }

  /** Runs the instance's health check with a deadline; a hang or a throw is unhealthy, never a crash. */
  async health(timeoutMs = 5000): Promise<{ healthy: boolean; detail?: string }> {
    if (this.#phase === 'failed') return { healthy: false, detail: this.#lastError?.message ?? 'failed' };
    if (this.#phase !== 'running' || !this.instance.health) return { healthy: this.#phase !== 'stopped', detail: this.#phase };
    const check = this.instance.health.bind(this.instance);
    try {
      const report = await withDeadline(timeoutMs, () => new Error(`health check did not answer within ${timeoutMs} ms`), check);
      return report ?? { healthy: true };
    } catch (error) {
      return { healthy: false, detail: error instanceof Error ? error.message : String(error) };
    }
  }

  status(): ServiceStatus {
    return {
      name: this.name,
      type: this.config.type,
      category: this.config.category,
      enabled: this.config.enabled,
      phase: this.#phase,
      lastError: this.#lastError && { ...this.#lastError, at: this.#lastError.at.toISOString() },
      nextRetryAt: this.#phase === 'failed' ? new Date(this.#retryAt).toISOString() : undefined,
      restarts: this.#restarts,
      breaker: this.#breaker.state(),
      bulkhead: this.#bulkhead.stats(),
    };
  }

  /** Stops the instance if it was started; a stop that throws or hangs is logged, never propagated. */
  async stop(): Promise<void> {
    this.#disposed = true;
    clearTimeout(this.#recoveryTimer);
    await this.#starting?.catch(() => {});
    if (this.#phase !== 'running' && this.#phase !== 'failed') {
      this.#setPhase('stopped');
      return;
    }
    this.#setPhase('stopping');
    try {
      if (this.instance.stop) {
        const stop = this.instance.stop.bind(this.instance);
        await withDeadline(this.config.stopTimeoutMs, () => new Error(`did not stop within ${this.config.stopTimeoutMs} ms`), stop);
      }
    } catch (error) {
      this.#logger.error({ err: error instanceof Error ? error.message : String(error) }, 'stop failed; abandoning the instance');
    }
    this.#setPhase('stopped');
  }
}

function wrap(service: string, code: GatewayError['code'], what: string, error: unknown): GatewayError {
  if (isGatewayError(error) && error.service === service && error.code !== 'INTERNAL') return error;
  const detail = error instanceof Error ? error.message : String(error);
  const code2 = isGatewayError(error) && error.code === 'DRIVER_MISSING' ? 'DRIVER_MISSING' : code;
  return new GatewayError(code2, `${what}: ${detail}`, { service, cause: error });
}
