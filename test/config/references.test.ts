// ${VAR}, ${VAR:-default}, ${file:PATH} and $${ in config values: what they resolve to, which values are
// treated as secrets, and how an unresolvable reference is reported.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { interpolate } from '../../src/config/interpolate.js';
import { parseConfigSource } from '../../src/config/source.js';
import { echoType } from '../fixtures/test-types.js';
import { issueAt, loadInvalid, loadValid, serviceNamed } from './load.js';

const resolve = (value: unknown, env: Record<string, string> = {}) => interpolate(value, { env });

describe('environment variables', () => {
  test('${VAR} is replaced, inside a longer string too', () => {
    const { value, issues } = resolve(
      { url: 'http://${HOST}:${PORT}/api', host: '${HOST}' },
      { HOST: 'db.internal', PORT: '8080' },
    );
    expect(issues).toEqual([]);
    expect(value).toEqual({ url: 'http://db.internal:8080/api', host: 'db.internal' });
  });

  test('${VAR:-default} uses the default when the variable is unset or empty, and the variable otherwise', () => {
    const text = { a: '${A:-fallback}', b: '${B:-fallback}', c: '${C:-http://localhost:8080/x}', d: '${D:-}' };
    expect(resolve(text, { A: 'set', B: '' }).value).toEqual({
      a: 'set',
      b: 'fallback',
      c: 'http://localhost:8080/x',
      d: '',
    });
  });

  test('$${ is a literal ${ and is never looked up', () => {
    const { value, issues } = resolve({ shell: 'echo $${HOME} costs $$5', mixed: '$${A}-${A}' }, { A: 'x' });
    expect(issues).toEqual([]);
    expect(value).toEqual({ shell: 'echo ${HOME} costs $$5', mixed: '${A}-x' });
  });

  test('references are resolved in lists and nested mappings; other scalars are left alone', () => {
    const { value } = resolve({ list: ['${A}', 1, true, null], deep: { deeper: ['${A:-no}'] } }, { A: 'yes' });
    expect(value).toEqual({ list: ['yes', 1, true, null], deep: { deeper: ['yes'] } });
  });

  test('a value that is exactly one reference stays text: it is not parsed again as YAML', () => {
    expect(resolve({ port: '${PORT}', list: '${LIST}' }, { PORT: '3000', LIST: '[a, b]' }).value).toEqual({
      port: '3000',
      list: '[a, b]',
    });
  });

  test('an unset variable is an error at its path and line that says how to fix it', async () => {
    const text = 'services:\n  e:\n    driver: echo\n    greeting: ${GREETING}\n';
    const issue = issueAt(await loadInvalid(text, { types: [echoType()] }), 'services.e.greeting');
    expect(issue).toMatchObject({ line: 4, column: 15 });
    expect(issue.message).toBe(
      'environment variable GREETING is not set: export it, or write ${GREETING:-default} to give a default',
    );
  });

  test('a variable set to the empty string, with no default, says it is empty', () => {
    const [issue] = resolve({ a: '${A}' }, { A: '' }).issues;
    expect(issue?.message).toMatch(/^environment variable A is empty/);
  });

  test('a malformed reference is an error that shows the accepted forms', () => {
    const [issue] = resolve({ a: 'x${1A}' }).issues;
    expect(issue).toEqual({
      path: ['a'],
      message: expect.stringContaining('use ${NAME}, ${NAME:-default} or ${file:/path/to/secret}'),
    });
  });
});

describe('${file:PATH}', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'mcpeg-secrets-'));
    writeFileSync(join(dir, 'token'), 's3cret-token\n');
    writeFileSync(join(dir, 'crlf'), 'windows-secret\r\n');
    writeFileSync(join(dir, 'two-lines'), 'line one\nline two\n\n');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('reads the file; one trailing newline (LF or CRLF) is dropped, nothing else', () => {
    const { value, issues } = resolve({
      a: `\${file:${dir}/token}`,
      b: `\${file:${dir}/crlf}`,
      c: `\${file: ${dir}/two-lines }`,
    });
    expect(issues).toEqual([]);
    expect(value).toEqual({ a: 's3cret-token', b: 'windows-secret', c: 'line one\nline two\n' });
  });

  test('a missing file is an error at its path and line naming the file and the reason', async () => {
    const missing = join(dir, 'nope');
    const text = `services:\n  e:\n    driver: echo\n    greeting: \${file:${missing}}\n`;
    const issue = issueAt(await loadInvalid(text, { types: [echoType()] }), 'services.e.greeting');
    expect(issue.line).toBe(4);
    expect(issue.message).toBe(`cannot read secret file ${missing} (ENOENT): check the path and its permissions`);
  });

  test('through loadConfig the file content reaches the service config', async () => {
    const text = `services:\n  e:\n    driver: echo\n    greeting: \${file:${dir}/token}\n`;
    const config = await loadValid(text, { types: [echoType()] });
    expect(serviceNamed(config, 'e').config).toMatchObject({ greeting: 's3cret-token' });
    expect(config.secrets).toEqual(['s3cret-token']);
  });
});

describe('secrets reported for redaction', () => {
  const env = {
    GITHUB_TOKEN: 'ghp_abcdef',
    DB_PASSWORD: 'hunter22',
    HOST: 'db.internal',
    ORDERS_DSN: 'postgres://x',
    API_KEY: 'k-123456',
    PORT: '5432',
  };
  const secretsOf = (yaml: string) => parseConfigSource(yaml, 'mcpeg.yaml', { env }).secrets;

  test('values of token-, password-, key- and DSN-like variables are secrets', () => {
    const yaml = 'a: ${GITHUB_TOKEN}\nb: ${DB_PASSWORD}\nc: ${ORDERS_DSN}\nd: ${API_KEY}\n';
    expect(secretsOf(yaml)).toEqual(['ghp_abcdef', 'hunter22', 'postgres://x', 'k-123456']);
  });

  test('plain ones like HOST and PORT are not', () => {
    expect(secretsOf('a: ${HOST}\nb: ${PORT}\nc: ${HOST}:${PORT}\n')).toEqual([]);
  });

  test('a string that embeds a secret is redacted whole', () => {
    expect(secretsOf('dsn: postgres://app:${DB_PASSWORD}@${HOST}/orders\n')).toEqual([
      'postgres://app:hunter22@db.internal/orders',
    ]);
  });

  test('a secret from a default is a secret too; values shorter than 4 characters are not listed', () => {
    expect(secretsOf('a: ${MISSING_TOKEN:-fallback-token}\nb: ${SHORT_TOKEN:-abc}\n')).toEqual(['fallback-token']);
  });
});
