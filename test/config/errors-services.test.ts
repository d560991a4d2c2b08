// Mistakes between services: types, dependencies, names. Each is an issue with path and line, and one file
// with many mistakes reports them all in one run.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { BUILT_IN_SERVICE_TYPES } from '../../src/adapters/built-in.js';
import { formatIssues } from '../../src/bootstrap.js';
import { echoType } from '../fixtures/test-types.js';
import { issueAt, lineOf, loadInvalid } from './load.js';

const types = [echoType(), echoType(undefined, 'other')];
/** The known-types list an error shows: the built-ins plus this file's test types, sorted. */
const known = [...Object.keys(BUILT_IN_SERVICE_TYPES), 'echo', 'other'].sort().join(', ');

describe('service types', () => {
  test('an unknown driver names it and lists the known types', async () => {
    const text = 'services:\n  orders:\n    driver: postgress\n';
    const issue = issueAt(await loadInvalid(text, { types }), 'services.orders.driver');
    expect(issue).toMatchObject({
      line: 3,
      column: 13,
      message: `unknown service type "postgress". Known types: ${known}`,
    });
  });

  test('type: that is neither a type nor a category', async () => {
    const issue = issueAt(await loadInvalid('services:\n  e:\n    type: databse\n', { types }), 'services.e.type');
    expect(issue.message).toBe(`unknown service type "databse". Known types: ${known}`);
  });

  test('type: a category, with no driver:, says to add driver:', async () => {
    const issue = issueAt(
      await loadInvalid('services:\n  orders:\n    type: database\n', { types }),
      'services.orders.type',
    );
    expect(issue.message).toContain('it is a category');
    expect(issue.message).toContain('Add driver:');
  });

  test('a plugin module that cannot be loaded is reported at module:', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mcpeg-module-'));
    try {
      const text = 'plugins:\n  mine:\n    module: ./missing-plugin.js\n';
      const issue = issueAt(await loadInvalid(text, { origin: join(dir, 'mcpeg.yaml') }), 'plugins.mine.module');
      expect(issue.line).toBe(3);
      expect(issue.message).toContain('plugin module "./missing-plugin.js" could not be used');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('keys in two places', () => {
  test('a key both at service level and under config: — keep one', async () => {
    const text = 'services:\n  e:\n    driver: echo\n    greeting: hi\n    config:\n      greeting: hello\n';
    const issue = issueAt(await loadInvalid(text, { types }), 'services.e.greeting');
    expect(issue).toMatchObject({
      line: 4,
      column: 5,
      message: '"greeting" is set both here and under config: — keep one',
    });
  });

  test('a name used under both services: and plugins:', async () => {
    const text = 'services:\n  notes:\n    driver: echo\nplugins:\n  notes:\n    driver: other\n';
    const issue = issueAt(await loadInvalid(text, { types }), 'plugins.notes');
    expect(issue.message).toBe(
      '"notes" is defined in both services: and plugins: — names share one namespace; rename one',
    );
    expect(issue.line).toBe(5);
  });
});

describe('dependencies', () => {
  test('on a service that is not configured', async () => {
    const text = 'services:\n  api:\n    driver: echo\n    dependencies: [db, cache]\n  db:\n    driver: echo\n';
    const issue = issueAt(await loadInvalid(text, { types }), 'services.api.dependencies[1]');
    expect(issue).toMatchObject({ line: 4, message: 'depends on "cache", which is not configured' });
  });

  test('on a service that has its own error: that error only, not a second "not configured"', async () => {
    const text = 'services:\n  api:\n    driver: echo\n    dependencies: [db]\n  db:\n    driver: nope\n';
    const issues = await loadInvalid(text, { types });
    expect(issues.map((issue) => issue.path)).toEqual(['services.db.driver']);
  });

  test('a cycle is one error that names the whole cycle', async () => {
    const text = [
      'services:',
      '  a: {driver: echo, dependencies: [b]}',
      '  b: {driver: echo, dependencies: [c]}',
      '  c: {driver: echo, dependencies: [a]}',
      '  d: {driver: echo, dependencies: [a]}',
      '',
    ].join('\n');
    const issues = await loadInvalid(text, { types });
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({
      path: 'services.a.dependencies',
      line: 2,
      message: 'dependency cycle: a → b → c → a — remove one of these dependencies',
    });
  });

  test('a service that depends on itself', async () => {
    const issue = issueAt(
      await loadInvalid('services:\n  a: {driver: echo, dependencies: [a]}\n', { types }),
      'services.a.dependencies',
    );
    expect(issue.message).toContain('a → a');
  });
});

describe('many mistakes, one run', () => {
  const text = [
    'global:',
    '  timout: 30s', // unknown key
    '  memory_limit: lots', // bad size
    'server:',
    '  http:',
    '    port: http', // wrong type
    'services:',
    '  api:',
    '    driver: echo',
    '    timeout: 1x', // bad duration in a common key
    '  db:',
    '    driver: postgress', // unknown driver
    '    enabled: false', // disabled services are validated all the same
    '  cache:',
    '    driver: mongo', // an unknown driver beside a broken common key: both reported
    '    bulkhead: {max_concurrent: 0}',
    '  e:',
    '    driver: echo',
    '    greeting: ${GREETING}', // unset variable
    '    hang: sometimes', // and a bad value elsewhere in the same service…
    '    dependencies: [ghost]', // …does not hide its unknown dependency
    'plugins:',
    '  e:', // the same name twice
    '    driver: other',
    '',
  ].join('\n');

  test('every one is reported, each with its own path and line', async () => {
    const issues = await loadInvalid(text, { types });
    const at = (path: string, needle: string) => expect(issueAt(issues, path).line, path).toBe(lineOf(text, needle));
    at('global.timout', 'timout');
    at('global.memory_limit', 'lots');
    at('server.http.port', 'port: http');
    at('services.api.timeout', 'timeout: 1x');
    at('services.db.driver', 'driver: postgress');
    at('services.cache.driver', 'driver: mongo');
    at('services.cache.bulkhead.max_concurrent', 'max_concurrent');
    at('services.e.greeting', 'GREETING');
    at('services.e.hang', 'hang:');
    at('services.e.dependencies[0]', 'ghost');
    expect(issueAt(issues, 'plugins.e').line).toBe(lineOf(text, 'driver: other') - 1);
    expect(issues).toHaveLength(11);
  });

  test('mcpeg validate prints them as file:line:col  path  message', async () => {
    const issues = await loadInvalid(text, { types });
    const lines = formatIssues('mcpeg.yaml', issues).split('\n');
    expect(lines).toHaveLength(issues.length);
    expect(lines).toContain('mcpeg.yaml:2:3  global.timout  unknown key "timout" — did you mean "timeout"?');
    for (const line of lines) expect(line).toMatch(/^mcpeg\.yaml:\d+:\d+ {2}\S+ {2}\S/);
  });
});
