// Secrets stay out of logs, client-visible errors, health output and anything an admin endpoint prints.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../../src/observability/logger.js';
import { redactDeep, secretRedactor } from '../../src/security/redact.js';
import { gatewayFrom } from '../helpers/gateway.js';
import { scope, text } from '../helpers/scope.js';
import { serveHttp } from '../helpers/servers.js';
import { storeType } from './helpers.js';

const SECRET = 'hunter2-very-secret-password';

afterEach(() => {
  vi.restoreAllMocks();
  delete process.env.MCPEG_TEST_SECRET;
});

function captureStderr(): string[] {
  const lines: string[] = [];
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  });
  return lines;
}

describe('log redaction', () => {
  it('blanks credentials by key, whatever their value, and configured secrets by value', () => {
    const lines = captureStderr();
    const logger = createLogger({ level: 'info', secrets: [SECRET] });
    logger.info({ headers: { authorization: 'Bearer client-token-abc', 'x-api-key': 'key-def' }, token: 'tok-ghi', detail: `dsn postgres://u:${SECRET}@db` }, 'request');
    logger.info({ req: { headers: { authorization: 'Bearer client-token-abc' } }, api_key: 'key-jkl', password: 'pw-mno' }, 'again');
    const out = lines.join('');
    for (const leaked of ['client-token-abc', 'key-def', 'tok-ghi', SECRET, 'key-jkl', 'pw-mno']) expect(out).not.toContain(leaked);
    expect(out).toContain('[REDACTED]');
    expect(out).toContain('postgres://u:[REDACTED]@db');
  });
});

describe('redaction helpers', () => {
  it('removes the longest secret first and leaves short values alone', () => {
    expect(secretRedactor(['abcd', 'abcdefgh'])('x abcdefgh y abcd')).toBe('x [REDACTED] y [REDACTED]');
    expect(secretRedactor(['abc'])('abc')).toBe('abc');
  });

  it('deep-copies admin output and audit records without secrets or credential fields', () => {
    const input = { service: { dsn: `mysql://root:${SECRET}@db`, headers: { Authorization: 'Bearer x', accept: 'json' } }, list: [SECRET], token: 'y' };
    expect(redactDeep(input, [SECRET])).toEqual({
      service: { dsn: 'mysql://root:[REDACTED]@db', headers: { Authorization: '[REDACTED]', accept: 'json' } },
      list: ['[REDACTED]'],
      token: '[REDACTED]',
    });
    expect(input.list[0]).toBe(SECRET); // the original is untouched
  });
});

describe('client-visible errors and health output', () => {
  it('never show a configured secret value in a tool error or /readyz', async () => {
    process.env.MCPEG_TEST_SECRET = SECRET;
    const gateway = await gatewayFrom('services:\n  shop: { driver: store, description: "${MCPEG_TEST_SECRET}" }', [storeType()]);
    expect(gateway.config.secrets).toContain(SECRET);
    const result = await gateway.dispatcher.callTool('shop__leak', {}, scope());
    expect(result.isError).toBe(true);
    expect(text(result)).toBe('[shop] cannot connect with password [REDACTED]');
    const server = await serveHttp(gateway);
    try {
      const body = await (await fetch(new URL('/readyz', server.url))).text();
      expect(body).not.toContain(SECRET);
      expect(body).toContain('connected with [REDACTED]');
    } finally {
      await server.close();
    }
  });
});
