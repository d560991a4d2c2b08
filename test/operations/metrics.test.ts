import type { Client } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createOpsProbe, opsType } from '../fixtures/ops-types.js';
import { parsePrometheusText, valueOf } from '../helpers/prometheus-parser.js';
import { httpClient } from '../helpers/servers.js';
import { configFile, type Running, runGateway } from './helpers.js';

const probe = createOpsProbe();
const file = configFile(`
server:
  metrics:
    enabled: true
services:
  flaky:
    driver: ops
    circuit_breaker:
      threshold: 3
      timeout: 60s
  steady:
    driver: ops
`);
let running: Running;
let legacy: Client;
let modern: Client;

beforeAll(async () => {
  running = await runGateway(file.path, [opsType(probe)], { watch: false });
  legacy = await httpClient(running.url, 'legacy');
  modern = await httpClient(running.url, 'auto');
});

afterAll(async () => {
  await legacy?.close();
  await modern?.close();
  await running?.close();
  file.cleanup();
});

async function scrape() {
  const response = await fetch(`${running.base}/metrics`);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
  return parsePrometheusText(await response.text());
}

describe('/metrics', () => {
  test('counts calls, errors by code and latency; shows the breaker opened by injected failures', async () => {
    for (let index = 0; index < 5; index++) {
      const result = await modern.callTool({ name: 'steady__work', arguments: { text: String(index) } });
      expect(result.isError).toBeFalsy();
    }
    probe.failing.add('flaky');
    const codes: string[] = [];
    for (let index = 0; index < 4; index++) {
      const result = await legacy.callTool({ name: 'flaky__work', arguments: {} });
      expect(result.isError).toBe(true);
      codes.push(/"code":"(\w+)"/.exec(JSON.stringify(result))?.[1] ?? JSON.stringify(result));
    }
    expect(codes).toEqual(['BACKEND_UNREACHABLE', 'BACKEND_UNREACHABLE', 'BACKEND_UNREACHABLE', 'CIRCUIT_OPEN']);
    const bad = await modern.callTool({ name: 'steady__work', arguments: { text: 42 } });
    expect(bad.isError).toBe(true);

    const metrics = await scrape();
    expect(valueOf(metrics, 'mcpeg_tool_calls_total', { service: 'steady', tool: 'steady__work', outcome: 'ok' })).toBe(5);
    expect(valueOf(metrics, 'mcpeg_tool_calls_total', { service: 'steady', tool: 'steady__work', outcome: 'error' })).toBe(1);
    expect(valueOf(metrics, 'mcpeg_tool_call_errors_total', { service: 'steady', code: 'INVALID_ARGUMENTS' })).toBe(1);
    expect(valueOf(metrics, 'mcpeg_tool_calls_total', { service: 'flaky', outcome: 'error' })).toBe(4);
    expect(valueOf(metrics, 'mcpeg_tool_call_errors_total', { service: 'flaky', code: 'BACKEND_UNREACHABLE' })).toBe(3);
    expect(valueOf(metrics, 'mcpeg_tool_call_errors_total', { service: 'flaky', code: 'CIRCUIT_OPEN' })).toBe(1);
    expect(valueOf(metrics, 'mcpeg_tool_call_duration_seconds_count', { service: 'steady', tool: 'steady__work' })).toBe(6);
    expect(valueOf(metrics, 'mcpeg_tool_call_duration_seconds_bucket', { service: 'flaky', le: '+Inf' })).toBe(4);
    expect(metrics.get('mcpeg_tool_call_duration_seconds')!.type).toBe('histogram');

    expect(valueOf(metrics, 'mcpeg_circuit_breaker_state', { service: 'flaky', state: 'open' })).toBe(1);
    expect(valueOf(metrics, 'mcpeg_circuit_breaker_state', { service: 'flaky', state: 'closed' })).toBe(0);
    expect(valueOf(metrics, 'mcpeg_circuit_breaker_state', { service: 'steady', state: 'closed' })).toBe(1);
    expect(running.gateway.host('flaky')!.status().breaker).toBe('open');

    expect(valueOf(metrics, 'mcpeg_service_phase', { service: 'steady', phase: 'running' })).toBe(1);
    expect(valueOf(metrics, 'mcpeg_bulkhead_active_calls', { service: 'steady' })).toBe(0);
    expect(valueOf(metrics, 'mcpeg_bulkhead_queued_calls', { service: 'steady' })).toBe(0);
    expect(valueOf(metrics, 'mcpeg_pool_connections', { service: 'steady', state: 'in_use' })).toBe(1);
    expect(valueOf(metrics, 'mcpeg_pool_max_connections', { service: 'steady' })).toBe(10);
    expect(valueOf(metrics, 'mcpeg_sessions', { era: 'legacy' })).toBe(1);
    expect(valueOf(metrics, 'mcpeg_catalog_entries', { kind: 'tools' })).toBe(4);
    expect(valueOf(metrics, 'process_resident_memory_bytes')).toBeGreaterThan(1e6);
    expect(valueOf(metrics, 'process_cpu_seconds_total')).toBeGreaterThan(0);
    expect(valueOf(metrics, 'nodejs_heap_size_used_bytes')).toBeGreaterThan(0);
    expect(metrics.get('process_start_time_seconds')!.type).toBe('gauge');
  });

  test('counts reloads by result, and the breaker state after recovery', async () => {
    const before = await scrape();
    expect(valueOf(before, 'mcpeg_config_reloads_total', { result: 'failure' })).toBe(0);
    file.write('services: {broken');
    expect((await running.ops.reloader.reload('test')).ok).toBe(false);
    file.write(`
server:
  metrics:
    enabled: true
services:
  flaky:
    driver: ops
    circuit_breaker:
      threshold: 3
      timeout: 60s
  steady:
    driver: ops
  added:
    driver: ops
`);
    expect((await running.ops.reloader.reload('test')).ok).toBe(true);
    const after = await scrape();
    expect(valueOf(after, 'mcpeg_config_reloads_total', { result: 'failure' })).toBe(1);
    expect(valueOf(after, 'mcpeg_config_reloads_total', { result: 'success' })).toBe(1);
    expect(valueOf(after, 'mcpeg_config_last_reload_success_timestamp_seconds')).toBeGreaterThan(Date.now() / 1000 - 60);
    expect(valueOf(after, 'mcpeg_service_phase', { service: 'added', phase: 'loading' })).toBe(1);
    // flaky was unchanged: same breaker, still open.
    expect(valueOf(after, 'mcpeg_circuit_breaker_state', { service: 'flaky', state: 'open' })).toBe(1);
  });

  test('only GET, and the parser used here rejects what Prometheus would', async () => {
    expect((await fetch(`${running.base}/metrics`, { method: 'POST' })).status).toBe(405);
    expect(() => parsePrometheusText('x 1\n')).toThrow(/without a # TYPE/);
    expect(() => parsePrometheusText('# TYPE x gauge\nx{a="\\q"} 1\n')).toThrow(/bad escape/);
    expect(() => parsePrometheusText('# TYPE x gauge\nx 1\nx 2\n')).toThrow(/duplicate series/);
    expect(() => parsePrometheusText('# TYPE h histogram\nh_bucket{le="1"} 2\nh_bucket{le="+Inf"} 1\nh_sum 1\nh_count 1\n')).toThrow(/not cumulative/);
  });
});
