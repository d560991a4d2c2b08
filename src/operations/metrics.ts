import { monitorEventLoopDelay } from 'node:perf_hooks';
import { readdirSync } from 'node:fs';
import { type CallEvent, callChannel } from '../core/call-events.js';
import type { Gateway } from '../core/gateway.js';
import { PHASES } from '../core/lifecycle.js';
import { isGatewayError } from '../sdk/errors.js';
import { GATEWAY_VERSION } from '../version.js';
import type { HealthMonitor } from './health-monitor.js';
import { Histogram, PrometheusText } from './prometheus-text.js';
import type { Reloader } from './reloader.js';

/** Where the numbers that are not counted from call events come from. */
export interface MetricsSources {
  readonly gateway: Gateway;
  readonly reloader?: Reloader;
  readonly health?: HealthMonitor;
  /** Open sessions (legacy HTTP sessions, stdio connections, modern listen streams) by protocol era. */
  readonly sessions?: () => { legacy: number; modern: number };
}

interface CallSeries {
  readonly service: string;
  readonly tool: string;
  ok: number;
  readonly errors: Map<string, number>;
  readonly latency: Histogram;
}

const BREAKER_STATES = ['closed', 'open', 'half_open'] as const;

/**
 * Prometheus metrics of the gateway: calls, errors by code and latency per service and tool (counted
 * from the call channel), and at scrape time breaker state, bulkhead depth, pool usage, phases, health
 * checks, sessions per era, reloads, and process metrics.
 *
 * @example const metrics = new GatewayMetrics({ gateway, reloader }); res.end(metrics.render());
 */
export class GatewayMetrics {
  readonly #sources: MetricsSources;
  readonly #calls = new Map<string, CallSeries>();
  readonly #loop = monitorEventLoopDelay({ resolution: 20 });
  readonly #subscribers;

  constructor(sources: MetricsSources) {
    this.#sources = sources;
    this.#loop.enable();
    this.#subscribers = {
      start: () => {},
      end: () => {},
      asyncStart: () => {},
      asyncEnd: (event: CallEvent) => this.#record(event),
      error: () => {},
    };
    callChannel.subscribe(this.#subscribers);
  }

  #record(event: CallEvent) {
    if (event.method !== 'tools/call') return;
    const key = `${event.service}\u0000${event.target}`;
    let series = this.#calls.get(key);
    if (!series) {
      series = { service: event.service, tool: event.target, ok: 0, errors: new Map(), latency: new Histogram() };
      this.#calls.set(key, series);
    }
    series.latency.observe((performance.now() - event.startedAt) / 1000);
    const code = outcomeCode(event);
    if (code === undefined) series.ok++;
    else series.errors.set(code, (series.errors.get(code) ?? 0) + 1);
  }

  /** The exposition text for one scrape. */
  render(): string {
    const out = new PrometheusText();
    const { gateway } = this.#sources;
    const summary = gateway.health();
    const calls = [...this.#calls.values()];

    out.family('mcpeg_tool_calls_total', 'counter', 'Tool calls by service, tool and outcome (ok or error)');
    for (const series of calls) {
      const errors = [...series.errors.values()].reduce((sum, count) => sum + count, 0);
      out.sample('mcpeg_tool_calls_total', { service: series.service, tool: series.tool, outcome: 'ok' }, series.ok);
      out.sample('mcpeg_tool_calls_total', { service: series.service, tool: series.tool, outcome: 'error' }, errors);
    }
    out.family('mcpeg_tool_call_errors_total', 'counter', 'Failed tool calls by service, tool and error code (tool_error: the tool returned isError itself)');
    for (const series of calls) {
      for (const [code, count] of series.errors) out.sample('mcpeg_tool_call_errors_total', { service: series.service, tool: series.tool, code }, count);
    }
    out.family('mcpeg_tool_call_duration_seconds', 'histogram', 'Tool call latency by service and tool, from arrival to answer');
    for (const series of calls) series.latency.write(out, 'mcpeg_tool_call_duration_seconds', { service: series.service, tool: series.tool });

    out.family('mcpeg_service_phase', 'gauge', 'Lifecycle phase of each configured service (1 for the current phase)');
    for (const service of summary.services) {
      for (const phase of PHASES) out.sample('mcpeg_service_phase', { service: service.name, phase }, service.phase === phase ? 1 : 0);
    }
    out.family('mcpeg_service_enabled', 'gauge', 'Whether the service is enabled (config or runtime override)');
    for (const service of summary.services) out.sample('mcpeg_service_enabled', { service: service.name }, service.enabled ? 1 : 0);
    out.family('mcpeg_service_isolated', 'gauge', 'Whether failed health checks took the service out of the catalog');
    for (const service of summary.services) out.sample('mcpeg_service_isolated', { service: service.name }, service.isolated ? 1 : 0);
    out.family('mcpeg_service_restarts_total', 'counter', 'Automatic restarts after failures');
    for (const service of summary.services) out.sample('mcpeg_service_restarts_total', { service: service.name }, service.restarts);
    out.family('mcpeg_circuit_breaker_state', 'gauge', 'Circuit breaker state of each service (1 for the current state)');
    for (const service of summary.services) {
      for (const state of BREAKER_STATES) out.sample('mcpeg_circuit_breaker_state', { service: service.name, state }, service.breaker === state ? 1 : 0);
    }
    out.family('mcpeg_bulkhead_active_calls', 'gauge', 'Calls running in the service now');
    for (const service of summary.services) out.sample('mcpeg_bulkhead_active_calls', { service: service.name }, service.bulkhead.active);
    out.family('mcpeg_bulkhead_queued_calls', 'gauge', 'Calls waiting for a bulkhead slot (queue depth)');
    for (const service of summary.services) out.sample('mcpeg_bulkhead_queued_calls', { service: service.name }, service.bulkhead.queued);
    out.family('mcpeg_bulkhead_max_concurrent', 'gauge', 'bulkhead.max_concurrent of the service');
    for (const service of summary.services) out.sample('mcpeg_bulkhead_max_concurrent', { service: service.name }, service.bulkhead.maxConcurrent);

    const pools = gateway.hosts.flatMap((host) => {
      try {
        const pool = host.instance.stats?.().pool;
        return pool ? [{ service: host.name, pool }] : [];
      } catch {
        return [];
      }
    });
    out.family('mcpeg_pool_connections', 'gauge', 'Connection pool of services that report one: open connections by state');
    for (const { service, pool } of pools) {
      out.sample('mcpeg_pool_connections', { service, state: 'idle' }, pool.idle);
      out.sample('mcpeg_pool_connections', { service, state: 'in_use' }, Math.max(0, pool.size - pool.idle));
    }
    out.family('mcpeg_pool_waiting', 'gauge', 'Calls waiting for a pooled connection');
    for (const { service, pool } of pools) out.sample('mcpeg_pool_waiting', { service }, pool.waiting);
    out.family('mcpeg_pool_max_connections', 'gauge', 'Configured pool limit');
    for (const { service, pool } of pools) if (pool.max !== undefined) out.sample('mcpeg_pool_max_connections', { service }, pool.max);

    const checks = this.#sources.health?.states();
    out.family('mcpeg_health_check_healthy', 'gauge', 'Result of the last periodic health check (1 healthy, 0 failed)');
    for (const [service, state] of checks ?? []) if (state) out.sample('mcpeg_health_check_healthy', { service }, state.healthy ? 1 : 0);

    if (this.#sources.sessions) {
      const sessions = this.#sources.sessions();
      out.family('mcpeg_sessions', 'gauge', 'Open client sessions by protocol era');
      out.sample('mcpeg_sessions', { era: 'legacy' }, sessions.legacy);
      out.sample('mcpeg_sessions', { era: 'modern' }, sessions.modern);
    }
    out.family('mcpeg_catalog_entries', 'gauge', 'Entries in the catalog clients see');
    out.sample('mcpeg_catalog_entries', { kind: 'tools' }, gateway.catalog.tools.length);
    out.sample('mcpeg_catalog_entries', { kind: 'prompts' }, gateway.catalog.prompts.length);
    out.sample('mcpeg_catalog_entries', { kind: 'resources' }, gateway.catalog.resources.length);
    out.sample('mcpeg_catalog_entries', { kind: 'resource_templates' }, gateway.catalog.templates.length);

    const reloader = this.#sources.reloader;
    if (reloader) {
      out.family('mcpeg_config_reloads_total', 'counter', 'Config reloads by result (failure: the file was invalid and the running config kept)');
      out.sample('mcpeg_config_reloads_total', { result: 'success' }, reloader.counts.success);
      out.sample('mcpeg_config_reloads_total', { result: 'failure' }, reloader.counts.failure);
      out.family('mcpeg_config_last_reload_success_timestamp_seconds', 'gauge', 'When the config was last reloaded successfully (0: never)');
      out.sample('mcpeg_config_last_reload_success_timestamp_seconds', {}, (reloader.lastSuccessAt?.getTime() ?? 0) / 1000);
    }
    out.family('mcpeg_memory_shedding', 'gauge', '1 while memory is above global.memory_limit and new calls are refused');
    out.sample('mcpeg_memory_shedding', {}, summary.memory.shedding ? 1 : 0);
    out.family('mcpeg_build_info', 'gauge', 'The running gateway version');
    out.sample('mcpeg_build_info', { version: GATEWAY_VERSION, node: process.version }, 1);
    this.#process(out);
    return out.toString();
  }

  #process(out: PrometheusText) {
    const cpu = process.cpuUsage();
    const memory = process.memoryUsage();
    out.family('process_cpu_user_seconds_total', 'counter', 'User CPU time spent in seconds');
    out.sample('process_cpu_user_seconds_total', {}, cpu.user / 1e6);
    out.family('process_cpu_system_seconds_total', 'counter', 'System CPU time spent in seconds');
    out.sample('process_cpu_system_seconds_total', {}, cpu.system / 1e6);
    out.family('process_cpu_seconds_total', 'counter', 'Total user and system CPU time spent in seconds');
    out.sample('process_cpu_seconds_total', {}, (cpu.user + cpu.system) / 1e6);
    out.family('process_resident_memory_bytes', 'gauge', 'Resident memory size in bytes');
    out.sample('process_resident_memory_bytes', {}, memory.rss);
    out.family('process_start_time_seconds', 'gauge', 'Start time of the process since the Unix epoch in seconds');
    out.sample('process_start_time_seconds', {}, Math.round(Date.now() / 1000 - process.uptime()));
    const fds = openFileDescriptors();
    if (fds !== undefined) {
      out.family('process_open_fds', 'gauge', 'Number of open file descriptors');
      out.sample('process_open_fds', {}, fds);
    }
    out.family('nodejs_heap_size_used_bytes', 'gauge', 'V8 heap in use in bytes');
    out.sample('nodejs_heap_size_used_bytes', {}, memory.heapUsed);
    out.family('nodejs_heap_size_total_bytes', 'gauge', 'V8 heap size in bytes');
    out.sample('nodejs_heap_size_total_bytes', {}, memory.heapTotal);
    out.family('nodejs_external_memory_bytes', 'gauge', 'Memory of C++ objects bound to JavaScript objects, in bytes');
    out.sample('nodejs_external_memory_bytes', {}, memory.external);
    out.family('nodejs_eventloop_lag_seconds', 'gauge', 'Event loop delay since the last scrape, by statistic');
    const ns = (value: number) => (Number.isFinite(value) ? value / 1e9 : 0);
    out.sample('nodejs_eventloop_lag_seconds', { stat: 'mean' }, ns(this.#loop.mean));
    out.sample('nodejs_eventloop_lag_seconds', { stat: 'p99' }, ns(this.#loop.percentile(99)));
    out.sample('nodejs_eventloop_lag_seconds', { stat: 'max' }, ns(this.#loop.max));
    this.#loop.reset();
    out.family('nodejs_active_resources', 'gauge', 'Handles and requests keeping the event loop alive');
    out.sample('nodejs_active_resources', {}, process.getActiveResourcesInfo().length);
  }

  close(): void {
    callChannel.unsubscribe(this.#subscribers);
    this.#loop.disable();
  }
}

/** The error code of a settled call, `tool_error` when the tool answered `isError` itself, undefined when it succeeded. */
export function outcomeCode(event: CallEvent): string | undefined {
  if ('error' in event && event.error !== undefined) return isGatewayError(event.error) ? event.error.code : 'INTERNAL';
  const result = event.result as { isError?: unknown } | undefined;
  return result?.isError === true ? 'tool_error' : undefined;
}

function openFileDescriptors(): number | undefined {
  try {
    return readdirSync('/proc/self/fd').length;
  } catch {
    return undefined;
  }
}
