// Mistakes in our own keys: each one is an issue with the YAML path, the line and column, and what to do.
import { describe, expect, test } from 'vitest';
import { echoType } from '../fixtures/test-types.js';
import { issueAt, lineOf, loadInvalid } from './load.js';

const types = [echoType()];

describe('unknown keys', () => {
  test('a typo in global: is reported at the key, with the key it probably meant', async () => {
    const text = 'global:\n  timout: 30s\n';
    const issue = issueAt(await loadInvalid(text), 'global.timout');
    expect(issue.message).toBe('unknown key "timout" — did you mean "timeout"?');
    expect(issue).toMatchObject({ line: 2, column: 3 });
  });

  test('an unknown top-level section is reported', async () => {
    const issue = issueAt(await loadInvalid('service:\n  a: {}\n'), 'service');
    expect(issue).toMatchObject({ line: 1, message: 'unknown key "service"' });
  });

  test('an unknown key inside a nested block: circuit_breaker', async () => {
    const text = 'services:\n  e:\n    driver: echo\n    circuit_breaker:\n      thresold: 3\n';
    const issue = issueAt(await loadInvalid(text, { types }), 'services.e.circuit_breaker.thresold');
    expect(issue).toMatchObject({ line: 5, column: 7, message: 'unknown key "thresold"' });
  });

  test('a key the service type does not know, written at service level, is reported where it is written', async () => {
    const text = 'services:\n  e:\n    driver: echo\n    gretting: hi\n';
    const issue = issueAt(await loadInvalid(text, { types }), 'services.e.gretting');
    expect(issue).toMatchObject({ line: 4, column: 5, message: 'unknown key "gretting"' });
  });

  test('...and under config:, at its place under config:', async () => {
    const text = 'services:\n  e:\n    driver: echo\n    config:\n      gretting: hi\n';
    const issue = issueAt(await loadInvalid(text, { types }), 'services.e.config.gretting');
    expect(issue).toMatchObject({ line: 5, column: 7 });
  });

  test('the common-key typos get a hint: enable, depends_on, circuitBreaker', async () => {
    const text = 'services:\n  e:\n    driver: echo\n    enable: true\n    depends_on: []\n    circuitBreaker: {}\n';
    const issues = await loadInvalid(text, { types });
    expect(issueAt(issues, 'services.e.enable').message).toContain('did you mean "enabled"?');
    expect(issueAt(issues, 'services.e.depends_on').message).toContain('did you mean "dependencies"?');
    expect(issueAt(issues, 'services.e.circuitBreaker').message).toContain('did you mean "circuit_breaker"?');
  });
});

describe('wrong types and values', () => {
  test('a string where a boolean belongs (YAML 1.2: yes is a string)', async () => {
    const text = 'services:\n  e:\n    driver: echo\n    enabled: yes\n';
    const issue = issueAt(await loadInvalid(text, { types }), 'services.e.enabled');
    expect(issue).toMatchObject({ line: 4, column: 14 });
    expect(issue.message).toMatch(/expected boolean/);
  });

  test('a port out of range, a quoted number, a path without /', async () => {
    const text = 'server:\n  http:\n    port: 70000\n    max_sessions: "10"\n    path: mcp\n';
    const issues = await loadInvalid(text);
    expect(issueAt(issues, 'server.http.port')).toMatchObject({ line: 3, column: 11 });
    expect(issueAt(issues, 'server.http.max_sessions').message).toMatch(/expected number/);
    expect(issueAt(issues, 'server.http.path').line).toBe(5);
  });

  test('an unknown enum value', async () => {
    const issue = issueAt(await loadInvalid('global:\n  prefix: sometimes\n'), 'global.prefix');
    expect(issue.message).toMatch(/always.*never.*on_collision/);
  });

  test('a service entry that is not a mapping', async () => {
    const issue = issueAt(await loadInvalid('services:\n  e: true\n', { types }), 'services.e');
    expect(issue).toMatchObject({
      line: 2,
      message: 'must be a mapping of settings (enabled, driver, config, …), not a boolean',
    });
  });

  test('a service name that cannot be a name', async () => {
    const issue = issueAt(await loadInvalid('services:\n  1st: {driver: echo}\n', { types }), 'services.1st');
    expect(issue.message).toContain('must start with a letter');
    expect(issue.line).toBe(2);
  });
});

describe('durations and sizes', () => {
  test.each([
    [
      'global:\n  timeout: 30 seconds\n',
      'global.timeout',
      '"30 seconds" is not a duration: write a number with a unit, like 500ms, 30s, 5m, 1h or 1d',
    ],
    ['global:\n  timeout: -5\n', 'global.timeout', '"-5" is not a duration'],
    ['global:\n  circuit_breaker:\n    timeout: soon\n', 'global.circuit_breaker.timeout', '"soon" is not a duration'],
    [
      'global:\n  memory_limit: 512 megs\n',
      'global.memory_limit',
      '"512 megs" is not a size: write a number with a unit, like 512KB, 10MB, 1GB or 1GiB',
    ],
    ['server:\n  http:\n    max_body: 4TB\n', 'server.http.max_body', '"4TB" is not a size'],
  ])('%j is rejected at %s', async (text, path, message) => {
    const issue = issueAt(await loadInvalid(text), path);
    expect(issue.message).toContain(message);
    expect(issue.line).toBe(text.trimEnd().split('\n').length);
  });

  test('a duration longer than a Node timer can wait is an error, not a timeout that fires at once', async () => {
    const issue = issueAt(await loadInvalid('global:\n  timeout: 30d\n'), 'global.timeout');
    expect(issue.message).toBe('"30d" is too long: durations may be at most 24d (2147483647 ms)');
  });
});

describe('YAML itself', () => {
  test('a syntax error has its line', async () => {
    const text = 'services:\n  e:\n    driver: echo\n    tools: [a, b\n';
    const issues = await loadInvalid(text, { types });
    expect(issues.length).toBeGreaterThan(0);
    for (const issue of issues) {
      expect(issue.path).toBe('(yaml)');
      expect(issue.message).toMatch(/^YAML syntax: /);
      expect(issue.line).toBeGreaterThanOrEqual(4);
    }
  });

  test('a bad indentation points at its line', async () => {
    const text = 'global:\n  timeout: 30s\n log_level: info\n';
    const [issue] = await loadInvalid(text);
    expect(issue).toMatchObject({ path: '(yaml)', line: 3, column: 1 });
    expect(issue!.message).toBe('YAML syntax: All mapping items must start at the same column');
  });

  test('a key written twice is an error at the second one (YAML would silently keep the last)', async () => {
    const text = 'services:\n  e:\n    driver: echo\n    timeout: 5s\n    timeout: 50s\n';
    const issues = await loadInvalid(text, { types });
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ path: '(yaml)', line: lineOf(text, 'timeout: 50s') });
    expect(issues[0]!.message).toContain('Map keys must be unique');
  });

  test('a document that is a list, not a mapping', async () => {
    const [issue] = await loadInvalid('- a\n- b\n');
    expect(issue).toMatchObject({ path: '(root)', line: 1 });
  });
});
