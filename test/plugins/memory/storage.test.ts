// Where the memory plugin keeps its data, and everything around it: the files storage_path names, the
// one-time import of an existing JSON file, the JSON export, snapshots and restore, integrity, the
// read cache and several connections on one store. Real files in temp dirs throughout.
import { existsSync, readdirSync, readFileSync, writeFileSync, openSync, writeSync, closeSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { memoryFiles } from '../../../src/plugins/memory/config.js';
import { text } from '../../helpers/scope.js';
import { caller, cleanup, gateway, memoryGateway, readDirect, tempDir } from './memory-fixture.js';

afterAll(cleanup);

const SERVER_MEMORY_FILE = [
  '{"type":"entity","name":"Ada","entityType":"person","observations":["likes tea"]}',
  '{"type":"entity","name":"Tea","entityType":"drink","observations":[]}',
  '{"type":"relation","from":"Ada","to":"Tea","relationType":"drinks"}',
].join('\n');

describe('memory storage files', () => {
  it('maps storage_path to the database, the JSON export and the snapshot folder', () => {
    expect(memoryFiles({ storage_path: './build/data/memory_storage.json' }, '/srv/app')).toEqual({
      database: '/srv/app/build/data/memory_storage.sqlite',
      jsonExport: '/srv/app/build/data/memory_storage.json',
      backups: '/srv/app/build/data/memory_storage.backups',
    });
    expect(memoryFiles({ storage_path: '/var/lib/mem.jsonl' })).toMatchObject({ database: '/var/lib/mem.sqlite', jsonExport: '/var/lib/mem.jsonl' });
    expect(memoryFiles({ storage_path: '/var/lib/mem.db' })).toMatchObject({ database: '/var/lib/mem.db', jsonExport: '/var/lib/mem.json' });
    expect(memoryFiles({ storage_path: '/var/lib/mem', backup_dir: '/backups/mem' }, '/x')).toEqual({
      database: '/var/lib/mem.sqlite',
      jsonExport: '/var/lib/mem.json',
      backups: '/backups/mem',
    });
  });

  it('imports an existing server-memory file once, on the first start, and keeps the export there afterwards', async () => {
    const dir = tempDir();
    const file = join(dir, 'memory_storage.json');
    writeFileSync(file, SERVER_MEMORY_FILE);
    const first = await memoryGateway(file);
    const graph = await caller(first).ok('read_graph');
    expect(graph.entities.map((entity: { name: string }) => entity.name)).toEqual(['Ada', 'Tea']);
    expect(graph.relations).toEqual([{ from: 'Ada', to: 'Tea', relationType: 'drinks' }]);
    expect(readDirect(join(dir, 'memory_storage.sqlite'), "SELECT value FROM meta WHERE key = 'imported_from'")).toEqual([{ value: file }]);
    await caller(first).ok('memory_set', { key: 'k', value: { deep: [1, 2] } });
    await first.shutdown(5000);
    // The stop wrote the export: server-memory's lines (it still reads them) plus a header and kv lines.
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    expect(JSON.parse(lines[0]!)).toMatchObject({ type: 'mcpeg-memory', version: 1 });
    expect(lines.slice(1, 4)).toEqual(SERVER_MEMORY_FILE.split('\n'));
    expect(JSON.parse(lines[4]!)).toMatchObject({ type: 'kv', namespace: 'default', key: 'k', value: { deep: [1, 2] }, expiresAt: null });
    expect(readdirSync(dir).filter((name) => name.endsWith('.tmp'))).toEqual([]);
    // The database is the truth from now on: a changed JSON file is not imported again.
    writeFileSync(file, '{"type":"entity","name":"Intruder","entityType":"x","observations":[]}');
    const second = await memoryGateway(file);
    expect((await caller(second).ok('read_graph')).entities.map((entity: { name: string }) => entity.name)).toEqual(['Ada', 'Tea']);
  });

  it('refuses to start on an unreadable JSON file, names the line, and leaves the file alone', async () => {
    const dir = tempDir();
    const file = join(dir, 'broken.json');
    const content = `${SERVER_MEMORY_FILE}\n{"type":"entity","name":"half`;
    writeFileSync(file, content);
    const failed = await caller(await memoryGateway(file)).fails('read_graph');
    expect(failed.text).toContain('line 4');
    expect(failed.text).toContain('move it away to start empty');
    expect(readFileSync(file, 'utf8')).toBe(content);
    // Nothing half-imported: the next start with a fixed file imports it whole.
    writeFileSync(file, SERVER_MEMORY_FILE);
    expect((await caller(await memoryGateway(file)).ok('read_graph')).entities).toHaveLength(2);
  });

  it('checks imported entries against their namespace schema, on first start and in memory_import', async () => {
    const dir = tempDir();
    const file = join(dir, 'typed.json');
    writeFileSync(file, '{"type":"kv","namespace":"people","key":"ok","value":{"name":"Ada"}}\n{"type":"kv","namespace":"people","key":"bad","value":{"name":7}}\n');
    const schema = '      namespaces:\n        people:\n          schema: { type: object, properties: { name: { type: string } }, required: [name] }\n';
    const failed = await caller(await memoryGateway(file, schema)).fails('memory_get', { key: 'ok', namespace: 'people' });
    expect(failed.text).toContain(`the existing file ${file} is imported when the store is created`);
    expect(failed.text).toContain('kv entry 2 (key "bad")');
    expect(failed.text).toContain('/name must be string');
    writeFileSync(file, '{"type":"kv","namespace":"people","key":"ok","value":{"name":"Ada"}}\n');
    const { ok, fails } = caller(await memoryGateway(file, schema));
    expect((await ok('memory_get', { key: 'ok', namespace: 'people' })).value).toEqual({ name: 'Ada' });
    const refused = await fails('memory_import', { text: '{"type":"kv","namespace":"people","key":"x","value":{}}' });
    expect(refused.text).toContain('kv entry 1 (key "x") does not match the schema of namespace "people"');
    expect((await ok('memory_get', { key: 'x', namespace: 'people' })).found).toBe(false);
  });

  it('exports on demand (inline too) and imports with merge, replace (confirmed) and all-or-nothing', async () => {
    const dir = tempDir();
    const { ok, fails, call } = caller(await memoryGateway(join(dir, 'm.json')));
    await ok('create_entities', { entities: [{ name: 'A', entityType: 't', observations: ['one'] }] });
    await ok('memory_set', { key: 'x', value: 1, namespace: 'n1' });
    const exported = await ok('memory_export', {});
    expect(exported).toMatchObject({ file: join(dir, 'm.json'), entities: 1, relations: 0, kv: 1 });
    const inline = await call('memory_export', { inline: true });
    expect(text(inline)).toBe(readFileSync(join(dir, 'm.json'), 'utf8').replace(/"exportedAt":"[^"]+"/, (match) => match));
    const merged = await ok('memory_import', {
      text: '{"type":"entity","name":"A","entityType":"t","observations":["one","two"]}\n{"type":"kv","namespace":"n2","key":"y","value":[true]}\n{"type":"unknown"}',
    });
    expect(merged).toMatchObject({ mode: 'merge', entities: 0, observations: 1, kv: 1, skippedLines: 1 });
    expect((await ok('open_nodes', { names: ['A'] })).entities[0].observations).toEqual(['one', 'two']);
    const bad = await fails('memory_import', { text: '{"type":"kv","namespace":"n3","key":"z","value":1}\n{"type":"entity","name":"B"}' });
    expect(bad.text).toContain('line 2');
    expect((await ok('memory_get', { key: 'z', namespace: 'n3' })).found).toBe(false);
    expect((await fails('memory_import', { text: '', mode: 'replace' })).text).toContain('confirm');
    expect((await fails('memory_import', {})).text).toContain('exactly one source');
    const replaced = await ok('memory_import', { text: '{"entities":[{"name":"Only","entityType":"t","observations":[]}]}', mode: 'replace', confirm: 'replace' });
    expect(replaced).toMatchObject({ mode: 'replace', entities: 1 });
    expect((await ok('read_graph')).entities.map((entity: { name: string }) => entity.name)).toEqual(['Only']);
    expect((await ok('memory_get', { key: 'x', namespace: 'n1' })).found).toBe(false);
    // Back from the export file written above.
    expect(await ok('memory_import', { from_export_file: true })).toMatchObject({ entities: 1, kv: 1 });
    expect((await ok('memory_get', { key: 'x', namespace: 'n1' })).value).toBe(1);
  });

  it('takes snapshots, keeps backup_keep of them, and restores one only when confirmed (after a safety snapshot)', async () => {
    const dir = tempDir();
    const { ok, fails } = caller(await memoryGateway(join(dir, 'm.json'), '      backup_keep: 3\n      backup_interval: 0\n'));
    await ok('memory_set', { key: 'version', value: 1 });
    const first = await ok('memory_backup');
    expect(first.name).toMatch(/^m-\d{8}T\d{9}Z-[0-9a-f]{6}\.sqlite$/);
    expect(existsSync(join(dir, 'm.backups', first.name))).toBe(true);
    await ok('memory_set', { key: 'version', value: 2 });
    await ok('create_entities', { entities: [{ name: 'after', entityType: 't', observations: [] }] });
    for (let index = 0; index < 3; index++) await ok('memory_backup');
    const listed = (await ok('memory_backups')).snapshots as { name: string }[];
    expect(listed).toHaveLength(3);
    expect(listed.map((snapshot) => snapshot.name)).not.toContain(first.name);
    const keep = listed[2]!.name; // the oldest kept: version 2
    await ok('memory_set', { key: 'version', value: 3 });
    expect((await fails('memory_restore', { snapshot: keep, confirm: 'yes' })).text).toContain('nothing was restored');
    expect((await fails('memory_restore', { snapshot: '../m.sqlite', confirm: '../m.sqlite' })).text).toContain('no snapshot named');
    expect((await fails('memory_restore', { snapshot: first.name, confirm: first.name })).text).toContain('no snapshot named'); // rotated away
    const restored = await ok('memory_restore', { snapshot: keep, confirm: keep });
    expect(restored.restored).toBe(keep);
    expect((await ok('memory_get', { key: 'version' })).value).toBe(2);
    expect((await ok('read_graph')).entities).toHaveLength(1);
    // The safety snapshot holds version 3: restoring it undoes the restore.
    await ok('memory_restore', { snapshot: restored.safety.name, confirm: restored.safety.name });
    expect((await ok('memory_get', { key: 'version' })).value).toBe(3);
  });

  it('takes snapshots and rewrites the export on backup_interval', async () => {
    const dir = tempDir();
    const { ok } = caller(await memoryGateway(join(dir, 'm.json'), '      backup_interval: 300ms\n'));
    await ok('memory_set', { key: 'k', value: 'v' });
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline && !(existsSync(join(dir, 'm.json')) && (await ok('memory_backups')).snapshots.length > 0)) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect((await ok('memory_backups')).snapshots.length).toBeGreaterThan(0);
    expect(readFileSync(join(dir, 'm.json'), 'utf8')).toContain('"key":"k"');
  });

  it('refuses a store that fails the integrity check, and says where the snapshots are', async () => {
    const dir = tempDir();
    const file = join(dir, 'm.json');
    const gw = await memoryGateway(file, '      json_export: false\n');
    await caller(gw).ok('memory_set_many', { entries: Array.from({ length: 2000 }, (_, index) => ({ key: `k${index}`, value: 'x'.repeat(200) })) });
    await gw.shutdown(5000);
    const database = join(dir, 'm.sqlite');
    expect(statSync(database).size).toBeGreaterThan(100_000);
    const fd = openSync(database, 'r+');
    writeSync(fd, Buffer.alloc(8192, 0xa5), 0, 8192, 4096 * 3); // scribble over pages 4 and 5
    closeSync(fd);
    const failed = await caller(await memoryGateway(file)).fails('memory_get', { key: 'k1' });
    expect(failed.text).toMatch(/integrity check|malformed|cannot use its database/);
    expect(failed.text).toContain(database);
  });
});

describe('memory read cache and several connections', () => {
  it('keeps the cache within cache_size and does not cache a value larger than it', async () => {
    const { ok } = caller(await memoryGateway(join(tempDir(), 'm.json'), '      cache_size: 20KB\n'));
    const value = 'v'.repeat(1000); // ~2 KB cached as UTF-16
    for (let index = 0; index < 50; index++) await ok('memory_set', { key: `k${index}`, value });
    for (let index = 0; index < 50; index++) expect((await ok('memory_get', { key: `k${index}` })).value).toBe(value);
    let cache = (await ok('memory_stats')).cache;
    expect(cache.maxBytes).toBe(20_000);
    expect(cache.bytes).toBeLessThanOrEqual(20_000);
    expect(cache.entries).toBeGreaterThan(3);
    expect(cache.entries).toBeLessThan(50);
    await ok('memory_get', { key: 'k49' });
    expect((await ok('memory_stats')).cache.hits).toBe(cache.hits + 1);
    await ok('memory_set', { key: 'huge', value: 'h'.repeat(30_000) });
    await ok('memory_get', { key: 'huge' });
    cache = (await ok('memory_stats')).cache;
    expect(cache.bytes).toBeLessThanOrEqual(20_000);
    await ok('memory_get', { key: 'huge' });
    expect((await ok('memory_stats')).cache.misses).toBe(cache.misses + 1);
  });

  it('two services on one store see each other’s writes at once (the cache follows SQLite’s data_version)', async () => {
    const file = join(tempDir(), 'shared.json');
    const gw = await gateway(`global: { prefix: always }
plugins:
  a: { driver: memory, storage_path: ${JSON.stringify(file)} }
  b: { driver: memory, storage_path: ${JSON.stringify(file)} }
`);
    const { ok } = caller(gw);
    await ok('a__memory_set', { key: 'k', value: 1 });
    expect((await ok('b__memory_get', { key: 'k' })).value).toBe(1); // now cached in b
    await ok('a__memory_set', { key: 'k', value: 2 });
    expect((await ok('b__memory_get', { key: 'k' })).value).toBe(2);
    await ok('a__memory_delete', { key: 'k' });
    expect((await ok('b__memory_get', { key: 'k' })).found).toBe(false);
    await ok('b__create_entities', { entities: [{ name: 'E', entityType: 't', observations: [] }] });
    expect((await ok('a__read_graph')).entities).toHaveLength(1);
    expect(gw.catalog.resources.map((entry) => entry.definition.uri).sort()).toEqual(['memory://a/knowledge-graph', 'memory://b/knowledge-graph']);
  });

  it('runs many concurrent writers without losing or mixing a write', async () => {
    const { ok } = caller(
      await gateway(`global: { prefix: never }
plugins:
  mem:
    driver: memory
    bulkhead: { max_concurrent: 64, max_queue: 1000 }
    storage_path: ${JSON.stringify(join(tempDir(), 'm.json'))}
`),
    );
    const writes = Array.from({ length: 300 }, (_, index) => ok('memory_set', { key: `w${index}`, value: index }));
    const graph = Array.from({ length: 50 }, (_, index) =>
      ok('create_entities', { entities: [{ name: `e${index}`, entityType: 't', observations: [`o${index}`] }] }),
    );
    const observations = Array.from({ length: 50 }, (_, index) => ok('create_relations', { relations: [{ from: `e${index}`, to: 'hub', relationType: 'r' }] }));
    await Promise.all([...writes, ...graph, ...observations]);
    const listed = await ok('memory_list', { limit: 1000, include_values: true });
    expect(listed.items).toHaveLength(300);
    for (const item of listed.items) expect(item.value).toBe(Number(item.key.slice(1)));
    const all = await ok('read_graph');
    expect(all.entities).toHaveLength(50);
    expect(all.relations).toHaveLength(50);
  });
});
