import type { Gateway } from '../core/gateway.js';
import { backoffDelay } from '../core/lifecycle.js';
import type { Logger } from '../sdk/logger.js';

/** The last periodic check of one service. */
export interface HealthCheckState {
  readonly at: string;
  readonly healthy: boolean;
  readonly detail: string | undefined;
  /** Consecutive failed checks (0 when the last one passed). */
  readonly failures: number;
  readonly nextCheckAt: string;
}

interface Schedule {
  timer: NodeJS.Timeout | undefined;
  failures: number;
  last: HealthCheckState | undefined;
  /** The host object checked last: a replaced instance starts with a clean slate. */
  host: unknown;
}

/**
 * Periodic health checks for services with `health_check:`. A running service whose check fails (or hangs
 * past `health_check.timeout`) is taken out of the catalog — clients get `list_changed` and its tools
 * disappear instead of failing — and checked again with backoff (interval, ×2 each failure, at most
 * `recovery.max_delay`). The first passing check puts it back. Services not started yet (lazy) or failed
 * (their host restarts them with its own backoff) are not checked.
 *
 * @example const monitor = new HealthMonitor({ gateway, logger }); monitor.sync(); // again after each reload
 */
export class HealthMonitor {
  readonly #gateway: Gateway;
  readonly #logger: Logger;
  readonly #schedules = new Map<string, Schedule>();
  #closed = false;

  constructor(options: { gateway: Gateway; logger: Logger }) {
    this.#gateway = options.gateway;
    this.#logger = options.logger;
  }

  /** Starts, keeps or stops schedules to match the running config. Call after every reload. */
  sync(): void {
    if (this.#closed) return;
    const wanted = new Map(this.#gateway.config.services.filter((service) => service.enabled && service.healthCheck).map((service) => [service.name, service]));
    for (const [name, schedule] of this.#schedules) {
      const host = this.#gateway.host(name);
      if (!wanted.has(name) || host !== schedule.host) {
        clearTimeout(schedule.timer);
        this.#schedules.delete(name);
      }
    }
    for (const [name, service] of wanted) {
      if (this.#schedules.has(name)) continue;
      const schedule: Schedule = { timer: undefined, failures: 0, last: undefined, host: this.#gateway.host(name) };
      this.#schedules.set(name, schedule);
      this.#plan(name, schedule, service.healthCheck!.intervalMs);
    }
  }

  /** The last check of each monitored service. */
  states(): ReadonlyMap<string, HealthCheckState | undefined> {
    return new Map([...this.#schedules].map(([name, schedule]) => [name, schedule.last]));
  }

  #plan(name: string, schedule: Schedule, delay: number) {
    schedule.timer = setTimeout(() => void this.#check(name, schedule), delay);
    schedule.timer.unref();
  }

  async #check(name: string, schedule: Schedule): Promise<void> {
    const service = this.#gateway.config.services.find((entry) => entry.name === name);
    const host = this.#gateway.host(name);
    if (this.#closed || this.#schedules.get(name) !== schedule || !service?.healthCheck || !host) return;
    const { intervalMs, timeoutMs } = service.healthCheck;
    if (host.phase !== 'running') {
      this.#plan(name, schedule, intervalMs);
      return;
    }
    const report = await host.health(timeoutMs);
    if (this.#closed || this.#schedules.get(name) !== schedule) return;
    const detail = report.detail;
    if (report.healthy) {
      if (schedule.failures > 0) {
        this.#logger.info({ service: name, failedChecks: schedule.failures }, `service ${name} passes its health check again: back in the catalog`);
      }
      schedule.failures = 0;
      this.#gateway.setIsolated(name, undefined);
    } else {
      schedule.failures++;
      if (schedule.failures === 1) {
        this.#logger.error(
          { service: name, detail },
          `service ${name} failed its health check (${detail ?? 'unhealthy'}): taken out of the catalog until a check passes; other services are unaffected`,
        );
      }
      this.#gateway.setIsolated(name, `health check failed: ${detail ?? 'unhealthy'}`);
    }
    const delay = report.healthy ? intervalMs : backoffDelay(schedule.failures, intervalMs, Math.max(intervalMs, service.recovery.maxDelayMs));
    schedule.last = {
      at: new Date().toISOString(),
      healthy: report.healthy,
      detail,
      failures: schedule.failures,
      nextCheckAt: new Date(Date.now() + delay).toISOString(),
    };
    this.#plan(name, schedule, delay);
  }

  close(): void {
    this.#closed = true;
    for (const schedule of this.#schedules.values()) clearTimeout(schedule.timer);
    this.#schedules.clear();
  }
}
