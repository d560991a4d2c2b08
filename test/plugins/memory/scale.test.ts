// 100,000 entries: written in batches (one transaction per call), then read by key, by prefix and by
// search. Bounds are generous (a loaded 2-core machine): they catch a per-row fsync or a full scan per
// key, not a slow minute.
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { caller, cleanup, gateway, readDirect, tempDir } from './memory-fixture.js';

afterAll(cleanup);

const ENTRIES = 100_000;
const BATCH = 10_000;

describe('memory plugin at 100,000 entries', () => {
  it('stores and queries 100,000 key/value entries and 100,000 graph entities', { timeout: 240_000 }, async () => {
    const dir = tempDir();
    const { ok } = caller(
      await gateway(`global: { prefix: never, timeout: 120s }
plugins:
  mem:
    driver: memory
    storage_path: ${JSON.stringify(join(dir, 'big.json'))}
    backup_interval: 0
`),
    );
    let started = Date.now();
    for (let start = 0; start < ENTRIES; start += BATCH) {
      const entries = Array.from({ length: BATCH }, (_, offset) => {
        const index = start + offset;
        return { key: `user:${String(index).padStart(6, '0')}`, value: { index, name: `user ${index}`, tags: ['a', 'b'] } };
      });
      expect(await ok('memory_set_many', { namespace: 'users', entries })).toEqual({ namespace: 'users', created: BATCH, updated: 0 });
    }
    const kvWriteMs = Date.now() - started;
    started = Date.now();
    for (let probe = 0; probe < 1000; probe++) {
      const index = (probe * 7919) % ENTRIES;
      expect((await ok('memory_get', { key: `user:${String(index).padStart(6, '0')}`, namespace: 'users' })).value.index).toBe(index);
    }
    const page = await ok('memory_list', { namespace: 'users', prefix: 'user:0421', limit: 1000 });
    expect(page.items).toHaveLength(100);
    expect(page.items[0].key).toBe('user:042100');
    const kvReadMs = Date.now() - started;

    started = Date.now();
    for (let start = 0; start < ENTRIES; start += BATCH) {
      const entities = Array.from({ length: BATCH }, (_, offset) => ({
        name: `node ${start + offset}`,
        entityType: (start + offset) % 10 === 0 ? 'Decade' : 'node',
        observations: [`observation of ${start + offset}`],
      }));
      expect((await ok('create_entities', { entities })).entities).toHaveLength(BATCH);
    }
    const relations = Array.from({ length: BATCH }, (_, index) => ({ from: `node ${index}`, to: `node ${index + 1}`, relationType: 'next' }));
    expect((await ok('create_relations', { relations })).relations).toHaveLength(BATCH);
    const graphWriteMs = Date.now() - started;
    started = Date.now();
    const found = await ok('search_nodes', { query: 'OBSERVATION OF 9999' });
    expect(found.entities.map((entity: { name: string }) => entity.name).sort()).toEqual(['node 9999', 'node 99990', 'node 99991', 'node 99992', 'node 99993', 'node 99994', 'node 99995', 'node 99996', 'node 99997', 'node 99998', 'node 99999'].sort());
    expect(found.relations).toEqual([
      { from: 'node 9998', to: 'node 9999', relationType: 'next' },
      { from: 'node 9999', to: 'node 10000', relationType: 'next' },
    ]);
    expect((await ok('search_nodes', { query: 'decade' })).entities).toHaveLength(ENTRIES / 10);
    const opened = await ok('open_nodes', { names: ['node 5', 'node 77777'] });
    expect(opened.entities.map((entity: { name: string }) => entity.name)).toEqual(['node 5', 'node 77777']);
    const graphReadMs = Date.now() - started;
    console.log(`100k: kv write ${kvWriteMs} ms, kv reads ${kvReadMs} ms, graph write ${graphWriteMs} ms, graph reads ${graphReadMs} ms`);
    expect(readDirect(join(dir, 'big.sqlite'), 'SELECT count(*) AS n FROM kv')).toEqual([{ n: ENTRIES }]);
    // Batches are transactions: 10 calls, not 100,000 fsyncs. Generous bounds for a loaded machine.
    expect(kvWriteMs).toBeLessThan(120_000);
    expect(kvReadMs).toBeLessThan(60_000);
    expect(graphWriteMs).toBeLessThan(120_000);
    expect(graphReadMs).toBeLessThan(60_000);
    const exported = await ok('memory_export');
    expect(exported).toMatchObject({ entities: ENTRIES, relations: BATCH, kv: ENTRIES });
  });
});
