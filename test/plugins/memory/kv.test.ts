// The key–value tools of the memory plugin through the real call path, on real SQLite files.
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { caller, cleanup, clock, memoryGateway, readDirect, tempDir } from './memory-fixture.js';

afterAll(cleanup);

describe('memory key–value tools', () => {
  it('sets, gets, replaces, lists by prefix with pages, and deletes', async () => {
    const dir = tempDir();
    const { ok } = caller(await memoryGateway(join(dir, 'mem.json')));
    expect(await ok('memory_set', { key: 'user:1', value: { name: 'Ada', langs: ['en'] } })).toMatchObject({ written: true, existed: false, expiresAt: null });
    expect(await ok('memory_get', { key: 'user:1' })).toMatchObject({ found: true, namespace: 'default', value: { name: 'Ada', langs: ['en'] } });
    expect(await ok('memory_set', { key: 'user:1', value: 42 })).toMatchObject({ written: true, existed: true });
    expect((await ok('memory_get', { key: 'user:1' })).value).toBe(42);
    expect(await ok('memory_set', { key: 'user:1', value: 'no', if_absent: true })).toMatchObject({ written: false, existed: true });
    expect((await ok('memory_get', { key: 'user:1' })).value).toBe(42);
    for (const key of ['user:2', 'user:3', 'user;x', 'user', 'team:1', 'usez']) await ok('memory_set', { key, value: null });
    const first = await ok('memory_list', { prefix: 'user:', limit: 2 });
    expect(first.items.map((item: { key: string }) => item.key)).toEqual(['user:1', 'user:2']);
    expect(first.next_after).toBe('user:2');
    const second = await ok('memory_list', { prefix: 'user:', limit: 2, after: first.next_after, include_values: true });
    expect(second.items).toMatchObject([{ key: 'user:3', value: null }]);
    expect(second.next_after).toBeUndefined();
    expect((await ok('memory_list', {})).items).toHaveLength(7);
    expect(await ok('memory_delete', { keys: ['user:2', 'user:3', 'never-there'] })).toEqual({ namespace: 'default', deleted: 2 });
    expect(await ok('memory_delete', { key: 'user:1' })).toEqual({ namespace: 'default', deleted: 1 });
    expect(await ok('memory_get', { key: 'user:1' })).toEqual({ found: false, namespace: 'default', key: 'user:1' });
  });

  it('keeps namespaces apart and clears one only with confirmation', async () => {
    const { ok, fails } = caller(await memoryGateway(join(tempDir(), 'mem.json')));
    await ok('memory_set', { key: 'k', value: 'a', namespace: 'alpha' });
    await ok('memory_set', { key: 'k', value: 'b', namespace: 'beta' });
    expect((await ok('memory_get', { key: 'k', namespace: 'alpha' })).value).toBe('a');
    expect((await ok('memory_get', { key: 'k', namespace: 'beta' })).value).toBe('b');
    expect((await ok('memory_get', { key: 'k' })).found).toBe(false);
    expect((await ok('memory_list', { namespace: 'alpha' })).items.map((item: { key: string }) => item.key)).toEqual(['k']);
    const refused = await fails('memory_clear_namespace', { namespace: 'alpha', confirm: 'yes' });
    expect(refused.code).toBe('INVALID_ARGUMENTS');
    expect(refused.text).toContain('nothing was deleted');
    expect((await ok('memory_get', { key: 'k', namespace: 'alpha' })).found).toBe(true);
    expect(await ok('memory_clear_namespace', { namespace: 'alpha', confirm: 'alpha' })).toEqual({ namespace: 'alpha', deleted: 1 });
    expect((await ok('memory_get', { key: 'k', namespace: 'alpha' })).found).toBe(false);
    expect((await ok('memory_get', { key: 'k', namespace: 'beta' })).value).toBe('b');
    expect((await fails('memory_get', { key: 'k', namespace: '../etc' })).code).toBe('INVALID_ARGUMENTS');
  });

  it('expires entries by ttl_seconds and by the namespace ttl (the clock moves, nothing sleeps)', async () => {
    const dir = tempDir();
    const file = join(dir, 'mem.json');
    const gw = await memoryGateway(file, '      namespaces:\n        sessions: { ttl: 10m }\n', 'memory_clock');
    const { ok } = caller(gw);
    const start = clock.now;
    await ok('memory_set', { key: 'short', value: 1, ttl_seconds: 30 });
    await ok('memory_set', { key: 'forever', value: 2 });
    const session = await ok('memory_set', { key: 's', value: 3, namespace: 'sessions' });
    expect(session.expiresAt).toBe(new Date(start + 600_000).toISOString());
    expect((await ok('memory_get', { key: 'short' })).expiresAt).toBe(new Date(start + 30_000).toISOString());
    clock.now = start + 29_999;
    expect((await ok('memory_get', { key: 'short' })).found).toBe(true); // now cached
    clock.now = start + 30_000;
    expect((await ok('memory_get', { key: 'short' })).found).toBe(false); // expired in the cache too
    expect((await ok('memory_list', {})).items.map((item: { key: string }) => item.key)).toEqual(['forever']);
    expect(await ok('memory_delete', { key: 'short' })).toMatchObject({ deleted: 0 });
    // A write over an expired entry is a new entry.
    await ok('memory_set', { key: 'short', value: 'again', ttl_seconds: 5 });
    expect((await ok('memory_get', { key: 'short' })).createdAt).toBe(new Date(start + 30_000).toISOString());
    clock.now = start + 600_000;
    expect((await ok('memory_get', { key: 's', namespace: 'sessions' })).found).toBe(false);
    expect((await ok('memory_get', { key: 'forever' })).found).toBe(true);
    // A restart sweeps expired rows out of the file.
    await gw.shutdown(5000);
    const { ok: ok2 } = caller(await memoryGateway(file, '', 'memory_clock'));
    await ok2('memory_stats');
    expect(readDirect<{ key: string }>(join(dir, 'mem.sqlite'), 'SELECT key FROM kv ORDER BY key').map((row) => row.key)).toEqual(['forever']);
    clock.now = start;
  });

  it('validates values against the namespace schema and names the failing paths', async () => {
    const { ok, fails } = caller(
      await memoryGateway(
        join(tempDir(), 'mem.json'),
        `      strict_namespaces: true
      namespaces:
        people:
          description: One object per person
          schema:
            type: object
            properties:
              name: { type: string, minLength: 1 }
              age: { type: integer, minimum: 0 }
              tags: { type: array, items: { type: string } }
            required: [name]
            additionalProperties: false
`,
      ),
    );
    await ok('memory_set', { key: 'ada', value: { name: 'Ada', age: 36 }, namespace: 'people' });
    const bad = await fails('memory_set', { key: 'bob', value: { name: '', age: -1, tags: ['x', 3] }, namespace: 'people' });
    expect(bad.code).toBe('INVALID_ARGUMENTS');
    expect(bad.text).toContain('does not match the schema of namespace "people"');
    expect(bad.text).toContain('value/name');
    expect(bad.text).toContain('value/age must be >= 0');
    expect(bad.text).toContain('value/tags/1 must be string');
    expect((await ok('memory_get', { key: 'bob', namespace: 'people' })).found).toBe(false);
    const batch = await fails('memory_set_many', { namespace: 'people', entries: [{ key: 'c', value: { name: 'C' } }, { key: 'd', value: { nom: 'D' } }] });
    expect(batch.text).toContain('entries[1].value');
    expect((await ok('memory_get', { key: 'c', namespace: 'people' })).found).toBe(false); // all or nothing
    expect((await fails('memory_set', { key: 'x', value: 1, namespace: 'other' })).text).toContain('strict_namespaces');
    await ok('memory_set', { key: 'x', value: 1 }); // "default" is always allowed
  });

  it('stores hostile keys unchanged and refuses the ones that cannot round-trip', async () => {
    const dir = tempDir();
    const { ok, fails } = caller(await memoryGateway(join(dir, 'mem.json'), '      max_value_size: 1KB\n'));
    const keys = [
      "'; DROP TABLE kv; --",
      'Robert"); DELETE FROM kv WHERE ("1"="1',
      '%_\\%',
      '../../etc/passwd',
      '$(rm -rf /)',
      '--upload-pack=evil',
      'emoji 🧠👩‍💻',
      'ünïcödé ß Σ',
      '\u202Eright-to-left',
      'line\nbreak\ttab',
      ' ',
      'x'.repeat(1024),
      '\uFFFF\u{10FFFF}',
    ];
    for (const [index, key] of keys.entries()) await ok('memory_set', { key, value: index });
    for (const [index, key] of keys.entries()) expect((await ok('memory_get', { key })).value, key).toBe(index);
    const listed = (await ok('memory_list', { limit: 1000 })).items.map((item: { key: string }) => item.key);
    expect([...listed].sort()).toEqual([...keys].sort());
    expect(readDirect(join(dir, 'mem.sqlite'), "SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'kv'")).toHaveLength(1);
    // Prefix search is exact: % and _ are no wildcards, and the last code point may be the largest.
    expect((await ok('memory_list', { prefix: '%' })).items.map((item: { key: string }) => item.key)).toEqual(['%_\\%']);
    expect((await ok('memory_list', { prefix: '\uFFFF\u{10FFFF}' })).items).toHaveLength(1);
    expect((await fails('memory_set', { key: 'x'.repeat(1025), value: 1 })).text).toContain('arguments/key');
    expect((await fails('memory_set', { key: '', value: 1 })).code).toBe('INVALID_ARGUMENTS');
    expect((await fails('memory_set', { key: 'nul\u0000byte', value: 1 })).text).toContain('NUL');
    expect((await fails('memory_set', { key: 'lone \uD800 surrogate', value: 1 })).text).toContain('surrogate');
    expect((await fails('memory_set', { key: 'big', value: 'x'.repeat(2000) })).text).toContain('max_value_size');
    expect((await fails('memory_set', { key: 'k' })).text).toContain('value');
    expect((await fails('memory_set', { key: 'k', value: 1, ttl_seconds: 0 })).code).toBe('INVALID_ARGUMENTS');
    expect((await fails('memory_set', { key: 'k', value: 1, surprise: true })).code).toBe('INVALID_ARGUMENTS');
  });
});
