import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { argumentDigest, canonicalJson } from '../../src/operations/audit/argument-digest.js';
import { RotatingFile } from '../../src/operations/audit/rotating-file.js';
import { createOpsProbe, opsType } from '../fixtures/ops-types.js';
import { httpClient } from '../helpers/servers.js';
import { configFile, type Running, runGateway } from './helpers.js';

let running: Running | undefined;
const cleanups: (() => void)[] = [];
afterEach(async () => {
  await running?.close();
  running = undefined;
  for (const cleanup of cleanups.splice(0)) cleanup();
});

const lines = (path: string) => (existsSync(path) ? readFileSync(path, 'utf8').split('\n').filter(Boolean) : []);

describe('audit log', () => {
  test('one JSON line per tool call: principal, service, tool, argument digest with secrets redacted, outcome, duration', async () => {
    const file = configFile(`
observability:
  audit:
    enabled: true
    path: audit/calls.jsonl
services:
  svc:
    driver: ops
`);
    cleanups.push(file.cleanup);
    const { mkdirSync } = await import('node:fs');
    mkdirSync(join(file.dir, 'audit'));
    const probe = createOpsProbe();
    running = await runGateway(file.path, [opsType(probe)], { watch: false });
    const client = await httpClient(running.url, 'auto');
    try {
      await client.callTool({ name: 'svc__work', arguments: { text: 'hi', password: 'hunter2-secret' } });
      probe.failing.add('svc');
      await client.callTool({ name: 'svc__work', arguments: { password: 'hunter2-secret', text: 'hi' } });
      await client.callTool(
        { name: 'svc__work', arguments: { text: 'traced' }, _meta: { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' } },
      );
    } finally {
      await client.close();
    }
    await running.ops.audit!.file.flush();
    const path = join(file.dir, 'audit/calls.jsonl');
    const text = readFileSync(path, 'utf8');
    expect(text).not.toContain('hunter2');
    const records = text.trim().split('\n').map((line) => JSON.parse(line));
    expect(records).toHaveLength(3);
    expect(records[0]).toMatchObject({ principal: 'anonymous', service: 'svc', tool: 'svc__work', outcome: 'ok', redacted: ['password'] });
    expect(records[0].arguments_digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(typeof records[0].duration_ms).toBe('number');
    expect(new Date(records[0].time).getTime()).toBeGreaterThan(Date.now() - 60_000);
    // Same arguments in another order: same digest. The outcome and its code are recorded.
    expect(records[1]).toMatchObject({ outcome: 'error', code: 'BACKEND_UNREACHABLE' });
    expect(records[1].arguments_digest).toBe(records[0].arguments_digest);
    expect(records[2]).toMatchObject({ trace_id: '4bf92f3577b34da6a3ce929d0e0e4736' });
    expect(records[2].arguments_digest).not.toBe(records[0].arguments_digest);
  });

  test('the digest: canonical JSON, nested secrets redacted', () => {
    expect(canonicalJson({ b: 1, a: [{ d: null, c: 'x' }] })).toBe('{"a":[{"c":"x","d":null}],"b":1}');
    const nested = argumentDigest({ conn: { api_key: 'k1', host: 'h' }, list: [{ token: 't' }] });
    expect(nested.redacted).toEqual(['conn.api_key', 'list[0].token']);
    expect(argumentDigest({ conn: { api_key: 'other', host: 'h' }, list: [{ token: 'x' }] }).digest).toBe(nested.digest);
    expect(argumentDigest({ conn: { host: 'h2' } }).digest).not.toBe(nested.digest);
  });

  test('rotation by size keeps N files and loses no line, even under a burst', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mcpeg-audit-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const path = join(dir, 'audit.jsonl');
    const file = new RotatingFile({ path, maxBytes: 2000, keep: 50 });
    for (let index = 0; index < 400; index++) file.write(`${JSON.stringify({ n: index, pad: 'x'.repeat(index % 40) })}\n`);
    await file.close();
    const all = [path, ...Array.from({ length: 50 }, (_, index) => `${path}.${index + 1}`)].reverse().flatMap(lines);
    expect(all.map((line) => JSON.parse(line).n)).toEqual(Array.from({ length: 400 }, (_, index) => index));
    for (const name of [path, `${path}.1`]) expect(readFileSync(name).length).toBeLessThanOrEqual(2000);

    const small = new RotatingFile({ path: join(dir, 'small.jsonl'), maxBytes: 100, keep: 2 });
    for (let index = 0; index < 30; index++) small.write(`{"n":${index},"pad":"${'y'.repeat(30)}"}\n`);
    await small.close();
    expect(existsSync(join(dir, 'small.jsonl.2'))).toBe(true);
    expect(existsSync(join(dir, 'small.jsonl.3'))).toBe(false);
    expect(lines(join(dir, 'small.jsonl')).map((line) => JSON.parse(line).n).at(-1)).toBe(29);
  });

  test('an unwritable audit path is logged once and does not fail calls', async () => {
    const file = configFile(`
observability:
  audit:
    enabled: true
    path: missing-folder/calls.jsonl
services:
  svc:
    driver: ops
`);
    cleanups.push(file.cleanup);
    const { recordingLogger } = await import('./helpers.js');
    const logger = recordingLogger();
    running = await runGateway(file.path, [opsType(createOpsProbe())], { logger, watch: false });
    const { scope, text } = await import('../helpers/scope.js');
    expect(text(await running.gateway.dispatcher.callTool('svc__work', { text: 'a' }, scope()))).toBe('hello a');
    expect(text(await running.gateway.dispatcher.callTool('svc__work', { text: 'b' }, scope()))).toBe('hello b');
    await running.ops.audit!.file.flush();
    expect(running.ops.audit!.file.dropped).toBe(2);
    expect(logger.lines.filter((line) => line.message.includes('cannot write the audit log'))).toHaveLength(1);
  });
});
