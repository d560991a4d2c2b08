// What a valid config turns into: global defaults applied and overridden per service, service-level keys merged
// with config:, disabled services validated and kept, and the whole result deep-frozen.
import { describe, expect, test } from 'vitest';
import { echoType } from '../fixtures/test-types.js';
import { issueAt, loadInvalid, loadValid, serviceNamed } from './load.js';

const types = [echoType()];

describe('defaults and overrides', () => {
  test('an empty file gets every default', async () => {
    const config = await loadValid('');
    expect(config.services).toEqual([]);
    expect(config.global).toMatchObject({
      timeout: 30_000,
      start_timeout: 30_000,
      stop_timeout: 10_000,
      shutdown_timeout: 10_000,
      circuit_breaker: { threshold: 5, timeout: 60_000 },
      bulkhead: { max_concurrent: 32, max_queue: 128 },
      recovery: { initial_delay: 1_000, max_delay: 60_000 },
      prefix: 'always',
      separator: '__',
      max_name_length: 64,
      page_size: 100,
      log_level: 'info',
      server_name: 'mcpeg',
    });
    expect(config.global.memory_limit).toBeUndefined();
    expect(config.server.http).toEqual({
      host: '127.0.0.1',
      port: 3000,
      path: '/mcp',
      allowed_hosts: [],
      allowed_origins: [],
      max_body: 4_000_000,
      session_idle_timeout: 1_800_000,
      max_sessions: 10_000,
    });
    expect(config.server.fast_path).toBe(true);
  });

  test('sections left empty (every entry commented out) are empty, not errors', async () => {
    const config = await loadValid('global:\nserver:\nservices:\n  # orders: {driver: postgres}\nplugins:\n');
    expect(config.services).toEqual([]);
    expect(config.global.timeout).toBe(30_000);
  });

  test('a service without overrides takes the global values', async () => {
    const text = [
      'global:',
      '  timeout: 10s',
      '  start_timeout: 1m',
      '  circuit_breaker: {threshold: 3, timeout: 2m}',
      '  bulkhead: {max_concurrent: 4, max_queue: 8}',
      '  recovery: {initial_delay: 500ms, max_delay: 1h}',
      '  prefix: on_collision',
      'services:',
      '  e: {driver: echo}',
      '',
    ].join('\n');
    const e = serviceNamed(await loadValid(text, { types }), 'e');
    expect(e).toMatchObject({
      timeoutMs: 10_000,
      startTimeoutMs: 60_000,
      breaker: { threshold: 3, timeoutMs: 120_000 },
      bulkhead: { maxConcurrent: 4, maxQueue: 8 },
      recovery: { initialDelayMs: 500, maxDelayMs: 3_600_000 },
      prefix: 'on_collision',
    });
  });

  test("a service's own values win over global", async () => {
    const text = [
      'global:',
      '  timeout: 10s',
      '  circuit_breaker: {threshold: 3, timeout: 2m}',
      '  bulkhead: {max_concurrent: 4, max_queue: 8}',
      'services:',
      '  e:',
      '    driver: echo',
      '    timeout: 90s',
      '    circuit_breaker: {threshold: 10, timeout: 5s}',
      '    bulkhead: {max_concurrent: 1, max_queue: 0}',
      '    memory_limit: 1GiB',
      '    prefix: never',
      '',
    ].join('\n');
    const e = serviceNamed(await loadValid(text, { types }), 'e');
    expect(e).toMatchObject({
      timeoutMs: 90_000,
      breaker: { threshold: 10, timeoutMs: 5_000 },
      bulkhead: { maxConcurrent: 1, maxQueue: 0 },
      memoryLimitBytes: 1024 ** 3,
      prefix: 'never',
    });
  });

  test('a partial override replaces only the keys it sets; the others keep the global value, not the built-in one', async () => {
    const text = [
      'global:',
      '  circuit_breaker: {threshold: 3, timeout: 2m}',
      '  bulkhead: {max_concurrent: 4, max_queue: 8}',
      'services:',
      '  e:',
      '    driver: echo',
      '    circuit_breaker: {timeout: 5s}',
      '    bulkhead: {max_queue: 0}',
      '',
    ].join('\n');
    const e = serviceNamed(await loadValid(text, { types }), 'e');
    expect(e.breaker).toEqual({ threshold: 3, timeoutMs: 5_000 });
    expect(e.bulkhead).toEqual({ maxConcurrent: 4, maxQueue: 0 });
  });
});

describe('services', () => {
  test('service-level extra keys and config: keys merge into the type config, which applies its defaults', async () => {
    const text = 'services:\n  e:\n    driver: echo\n    greeting: hi\n    config:\n      extra_tools: 2\n';
    const e = serviceNamed(await loadValid(text, { types }), 'e');
    expect(e.config).toEqual({ greeting: 'hi', extra_tools: 2, fail_start: 0, hang: 'none' });
  });

  test('enabled: false services are validated and kept, disabled', async () => {
    const valid = 'services:\n  e:\n    driver: echo\n    enabled: false\n';
    expect(serviceNamed(await loadValid(valid, { types }), 'e').enabled).toBe(false);
    const invalid = 'services:\n  e:\n    driver: echo\n    enabled: false\n    hang: sometimes\n';
    expect(issueAt(await loadInvalid(invalid, { types }), 'services.e.hang').line).toBe(5);
  });

  test('services keep file order, services: before plugins:, with their section and key line', async () => {
    const text = 'plugins:\n  p: {driver: echo}\nservices:\n  b: {driver: echo}\n  a: {driver: echo}\n';
    const config = await loadValid(text, { types });
    expect(config.services.map((service) => [service.name, service.section, service.line])).toEqual([
      ['b', 'services', 4],
      ['a', 'services', 5],
      ['p', 'plugins', 2],
    ]);
  });

  test('the type is resolved: driver: first, then type: naming a type, then the key', async () => {
    const text = [
      'services:',
      '  by_driver: {type: database, driver: echo}',
      '  by_type: {type: echo}',
      '  echo: {}',
      '',
    ].join('\n');
    const config = await loadValid(text, { types });
    expect(config.services.map((service) => [service.name, service.type, service.category])).toEqual([
      ['by_driver', 'echo', 'generic'],
      ['by_type', 'echo', 'generic'],
      ['echo', 'echo', 'generic'],
    ]);
  });
});

describe('the result is deeply frozen', () => {
  test('no part of it can be changed (strict mode throws)', async () => {
    const text = 'services:\n  e:\n    driver: echo\n    tools: {include: [echo]}\n';
    const config = await loadValid(text, { types });
    const e = serviceNamed(config, 'e');
    for (const part of [
      config,
      config.global,
      config.global.circuit_breaker,
      config.server.http,
      config.services,
      e,
      e.breaker,
      e.config,
      e.tools.include,
    ]) {
      expect(Object.isFrozen(part)).toBe(true);
    }
    expect(() => {
      (config.global as { timeout: number }).timeout = 1;
    }).toThrow(TypeError);
    expect(() => {
      (e.config as { greeting: string }).greeting = 'changed';
    }).toThrow(TypeError);
    expect(() => (config.services as unknown[]).push({})).toThrow(TypeError);
  });

  test('freezing one result does not freeze the next one, nor share its objects', async () => {
    const first = await loadValid('global:\n  timeout: 1s\n');
    const second = await loadValid('');
    expect(second.global.timeout).toBe(30_000);
    expect(first.global).not.toBe(second.global);
  });
});
