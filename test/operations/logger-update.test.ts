import { afterEach, expect, test, vi } from 'vitest';
import { createLogger, updateLogger } from '../../src/observability/logger.js';

afterEach(() => {
  vi.restoreAllMocks();
});

test('a reload changes the level of the logger and of every child, and the secrets it redacts', () => {
  const written: string[] = [];
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  });
  const root = createLogger({ level: 'info', secrets: ['old-secret-value'] });
  const child = root.child({ service: 'orders' });
  const grandchild = child.child({ call: 1 });
  child.debug('hidden before');
  grandchild.info('uses old-secret-value and new-secret-value');
  updateLogger(root, { level: 'debug', secrets: ['new-secret-value'] });
  child.debug('shown after');
  grandchild.debug('grandchild shown after, new-secret-value');
  const later = root.child({ service: 'added' });
  later.debug('a child made after the reload');
  const lines = written.map((line) => JSON.parse(line) as { msg: string });
  expect(lines.map((line) => line.msg)).toEqual([
    'uses [REDACTED] and new-secret-value',
    'shown after',
    'grandchild shown after, [REDACTED]',
    'a child made after the reload',
  ]);
});
