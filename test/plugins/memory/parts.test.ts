// The memory plugin's small parts on their own: the byte-bounded LRU cache, prefix bounds, the export
// format, and progress reports of a batch through the real call path.
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { exportLines, parseExport } from '../../../src/plugins/memory/export-format.js';
import { prefixUpperBound } from '../../../src/plugins/memory/keys.js';
import { ByteLruCache } from '../../../src/sdk/byte-lru-cache.js';
import { scope } from '../../helpers/scope.js';
import { cleanup, memoryGateway, tempDir } from './memory-fixture.js';

afterAll(cleanup);

describe('ByteLruCache', () => {
  it('evicts the least recently used entries to stay within its byte budget', () => {
    const cache = new ByteLruCache<string>(1000, (value) => value.length * 2);
    for (const key of ['a', 'b', 'c']) cache.set(key, 'x'.repeat(100)); // 2 + 200 + 96 bytes each
    expect(cache.size).toBe(3);
    expect(cache.get('a')).toBeDefined(); // a is now the most recent
    cache.set('d', 'x'.repeat(100));
    expect(cache.bytes).toBeLessThanOrEqual(1000);
    expect(cache.get('b')).toBeUndefined(); // b was the least recent
    expect(cache.get('a')).toBeDefined();
    cache.set('huge', 'x'.repeat(1000));
    expect(cache.get('huge')).toBeUndefined();
    cache.clear('a');
    expect(cache.get('a')).toBeUndefined();
    expect(new ByteLruCache<string>(0, () => 0).bytes).toBe(0);
  });
});

describe('prefixUpperBound', () => {
  it('is the smallest string after every string with the prefix', () => {
    expect(prefixUpperBound('user:')).toBe('user;');
    expect(prefixUpperBound('a\u{10FFFF}')).toBe('b');
    expect(prefixUpperBound('\u{10FFFF}')).toBeUndefined();
    expect(prefixUpperBound('\uD7FF')).toBe('\uE000');
    const keys = ['ab', 'ab\u{10FFFF}', 'abz', 'ac', 'aa\uFFFF'];
    const upper = prefixUpperBound('ab')!;
    expect(keys.filter((key) => key >= 'ab' && Buffer.compare(Buffer.from(key), Buffer.from(upper)) < 0)).toEqual(['ab', 'ab\u{10FFFF}', 'abz']);
  });
});

describe('export format', () => {
  it('round-trips entities, relations and entries, values spliced as JSON', () => {
    const dump = {
      entities: [{ name: 'A "quoted"', entityType: 't', observations: ['line\nbreak'] }],
      relations: [{ from: 'A "quoted"', to: 'B', relationType: 'r' }],
      kv: [{ namespace: 'n', key: 'k\u2028', json: '{"deep":[1,{"x":null}]}', createdAt: 1, updatedAt: 2, expiresAt: null }],
    };
    const lines = [...exportLines(dump, new Date(0))];
    expect(lines).toHaveLength(4);
    for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
    expect(parseExport(lines.join('\n'))).toEqual({ ...dump, skipped: 0 });
  });

  it('reads a read_graph document and names the line of a broken JSON Lines file', () => {
    expect(parseExport('{"entities":[{"name":"A","entityType":"t","observations":[]}],"relations":[]}').entities).toHaveLength(1);
    expect(() => parseExport('{"type":"entity","name":"A","entityType":"t","observations":[]}\n\n{"type":"relation","from":1}')).toThrow(/line 3: .*"from" must be a string/);
    expect(() => parseExport('{"entities":{}}')).toThrow('"entities" must be a list');
    expect(() => parseExport('{"type":"mcpeg-memory","version":99}')).toThrow('newer MCPEG');
    expect(parseExport('\n  \n')).toEqual({ entities: [], relations: [], kv: [], skipped: 0 });
  });
});

describe('progress', () => {
  it('memory_set_many reports progress to the caller', async () => {
    const gateway = await memoryGateway(join(tempDir(), 'p.json'));
    const reports: [number, number | undefined][] = [];
    const entries = Array.from({ length: 25_000 }, (_, index) => ({ key: `k${index}`, value: index }));
    const result = await gateway.dispatcher.callTool('memory_set_many', { entries }, scope({ progress: async (done, total) => void reports.push([done, total]) }));
    expect(result.isError).toBeFalsy();
    expect(reports).toEqual([
      [0, 25_000],
      [10_000, 25_000],
      [20_000, 25_000],
      [25_000, 25_000],
    ]);
  });
});
