import { GatewayError } from '../sdk/errors.js';
import type { Interceptor } from './interceptor.js';

/** Samples the process's memory and says whether it is above the configured limit. */
export interface MemoryMonitor {
  /** True while resident memory is above the limit. */
  overLimit(): boolean;
  /** The last sample, in bytes. */
  rss(): number;
  readonly limitBytes: number | undefined;
  close(): void;
}

/**
 * Samples RSS every `intervalMs` (not per call, so the hot path pays a boolean read).
 *
 * @example const monitor = memoryMonitor({ limitBytes: 512e6 });
 */
export function memoryMonitor(options: {
  limitBytes: number | undefined;
  intervalMs?: number;
  sample?: () => number;
  onChange?: (over: boolean, rss: number) => void;
}): MemoryMonitor {
  const sample = options.sample ?? (() => process.memoryUsage.rss());
  let rss = sample();
  let over = options.limitBytes !== undefined && rss > options.limitBytes;
  const timer =
    options.limitBytes === undefined
      ? undefined
      : setInterval(() => {
          rss = sample();
          const now = rss > options.limitBytes!;
          if (now !== over) {
            over = now;
            options.onChange?.(over, rss);
          }
        }, options.intervalMs ?? 1000);
  timer?.unref();
  return {
    overLimit: () => over,
    rss: () => rss,
    limitBytes: options.limitBytes,
    close: () => clearInterval(timer),
  };
}

/**
 * Sheds new calls with `MEMORY_PRESSURE` while memory is above `global.memory_limit`, so the gateway
 * degrades instead of being killed. Calls already running are not touched.
 */
export function memoryGuard(monitor: MemoryMonitor): Interceptor {
  return (next) => async (call) => {
    if (monitor.overLimit()) {
      const mb = (bytes: number) => `${Math.round(bytes / 1e6)} MB`;
      throw new GatewayError(
        'MEMORY_PRESSURE',
        `gateway memory ${mb(monitor.rss())} is above global.memory_limit ${mb(monitor.limitBytes ?? 0)}; new calls are refused until it drops — retry shortly, or raise the limit`,
        { service: call.service, retryAfterMs: 2000 },
      );
    }
    return next(call);
  };
}
