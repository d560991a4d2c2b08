// What the memory plugin's knowledge graph does beyond the recorded reference sequence (compat.test.ts):
// batches, limits, input that cannot be stored unchanged, and resource updates to a subscribed client.
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { httpClient, serveHttp } from '../../helpers/servers.js';
import { caller, cleanup, gateway, memoryGateway, tempDir } from './memory-fixture.js';

afterAll(cleanup);

describe('memory knowledge graph', () => {
  it('keeps the first of two entities or relations repeated in one call (the reference would store both)', async () => {
    const { ok } = caller(await memoryGateway(join(tempDir(), 'g.json')));
    const created = await ok('create_entities', {
      entities: [
        { name: 'twin', entityType: 'first', observations: [] },
        { name: 'twin', entityType: 'second', observations: [] },
      ],
    });
    expect(created.entities).toEqual([{ name: 'twin', entityType: 'first', observations: [] }]);
    const relation = { from: 'twin', to: 'twin', relationType: 'mirrors' };
    expect((await ok('create_relations', { relations: [relation, relation] })).relations).toEqual([relation]);
    expect(await ok('read_graph')).toEqual({ entities: [{ name: 'twin', entityType: 'first', observations: [] }], relations: [relation] });
  });

  it('search_nodes matches as JavaScript lower-cases, non-ASCII text included, with the relations touching the matches', async () => {
    const { ok } = caller(await memoryGateway(join(tempDir(), 'g.json')));
    const entities = [
      { name: 'Kelvin \u212A scale', entityType: 'unit', observations: [] },
      { name: 'ÉCOLE', entityType: 'place', observations: ['in Lyon'] },
      { name: 'city', entityType: 'place', observations: ['\u0130stanbul by the Bosphorus'] },
      { name: 'plain', entityType: 'Thing', observations: ['NOTHING special', '100% ascii'] },
      { name: 'Straße', entityType: 'road', observations: [] },
    ];
    await ok('create_entities', { entities });
    const relations = [
      { from: 'ÉCOLE', to: 'city', relationType: 'near' },
      { from: 'plain', to: 'Straße', relationType: 'on' },
      { from: 'ghost', to: 'nobody', relationType: 'haunts' },
    ];
    await ok('create_relations', { relations });
    // The reference's rule, applied here in JavaScript: name, type or an observation contains the query, lower-cased.
    const expected = (query: string) => {
      const needle = query.toLowerCase();
      const hit = entities.filter((e) => [e.name, e.entityType, ...e.observations].some((text) => text.toLowerCase().includes(needle)));
      const names = new Set(hit.map((e) => e.name));
      return { entities: hit, relations: relations.filter((r) => names.has(r.from) || names.has(r.to)) };
    };
    for (const query of ['k', 'K', 'école', 'i\u0307stanbul', 'stanbul', 'STRASSE', 'straße', 'thing', '%', '_', 'ascii', '', 'zzz']) {
      expect(await ok('search_nodes', { query }), query).toEqual(expected(query));
    }
  });

  it('a failed add_observations writes nothing, even for the entities before the unknown one', async () => {
    const { ok, call } = caller(await memoryGateway(join(tempDir(), 'g.json')));
    await ok('create_entities', { entities: [{ name: 'known', entityType: 't', observations: ['a'] }] });
    const failed = await call('add_observations', {
      observations: [
        { entityName: 'known', contents: ['b'] },
        { entityName: 'unknown', contents: ['c'] },
      ],
    });
    expect(failed).toEqual({ content: [{ type: 'text', text: 'Entity with name unknown not found' }], isError: true });
    expect((await ok('open_nodes', { names: ['known'] })).entities[0].observations).toEqual(['a']);
  });

  it('refuses batches over max_entries_per_call and strings with lone surrogates, writing nothing', async () => {
    const { ok, fails } = caller(await memoryGateway(join(tempDir(), 'g.json'), '      max_entries_per_call: 3\n'));
    const four = Array.from({ length: 4 }, (_, index) => ({ name: `n${index}`, entityType: 't', observations: [] }));
    const tooMany = await fails('create_entities', { entities: four });
    expect(tooMany.code).toBe('INVALID_ARGUMENTS');
    expect(tooMany.text).toContain('max_entries_per_call (3)');
    const broken = await fails('create_entities', { entities: [{ name: 'ok', entityType: 't', observations: [] }, { name: 'bad \uDC00', entityType: 't', observations: [] }] });
    expect(broken.text).toContain('lone UTF-16 surrogate');
    expect((await ok('read_graph')).entities).toEqual([]);
  });

  it('names, types and observations are data, never SQL', async () => {
    const { ok } = caller(await memoryGateway(join(tempDir(), 'g.json')));
    const hostile = ["Robert'); DROP TABLE entities;--", '%', '_', '\u0000nul', 'x'.repeat(100_000)];
    await ok('create_entities', { entities: hostile.map((name) => ({ name, entityType: name, observations: [name] })) });
    const graph = await ok('read_graph');
    expect(graph.entities.map((entity: { name: string }) => entity.name)).toEqual(hostile);
    expect((await ok('search_nodes', { query: '%' })).entities.map((entity: { name: string }) => entity.name)).toEqual(['%']);
    expect((await ok('open_nodes', { names: ['\u0000nul'] })).entities).toHaveLength(1);
  });

  it('tells a subscribed client when the graph changes, and serves it as a resource', async () => {
    const served = await serveHttp(await gateway(`plugins:\n  memory:\n    storage_path: ${JSON.stringify(join(tempDir(), 'g.json'))}\n`));
    const client = await httpClient(served.url, 'legacy');
    try {
      const updated: string[] = [];
      client.setNotificationHandler('notifications/resources/updated', async (notification) => {
        updated.push(notification.params.uri);
      });
      await client.subscribeResource({ uri: 'memory://knowledge-graph' });
      await client.callTool({ name: 'memory__create_entities', arguments: { entities: [{ name: 'seen', entityType: 't', observations: [] }] } });
      await expect.poll(() => updated, { timeout: 5000 }).toContain('memory://knowledge-graph');
      const read = await client.readResource({ uri: 'memory://knowledge-graph' });
      expect(JSON.parse((read.contents[0] as { text: string }).text)).toEqual({ entities: [{ name: 'seen', entityType: 't', observations: [] }], relations: [] });
    } finally {
      await client.close();
      await served.close();
    }
  });
});

describe('search_nodes index', () => {
  it('answers from memory exactly as the SQLite scan does, and sees every change: its own writes, another connection’s, a restore', async () => {
    const file = join(tempDir(), 'indexed.json');
    const { ok } = caller(await memoryGateway(file));
    const other = caller(await memoryGateway(file));
    const names = (graph: Record<string, any>) => graph.entities.map((entity: { name: string }) => entity.name);
    await ok('create_entities', {
      entities: [
        { name: 'Alpha', entityType: 'letter', observations: ['first of the Greek ALPHABET'] },
        { name: 'Ωmega', entityType: 'letter', observations: ['last', 'ΣΊΣΥΦΟΣ rolled it'] },
        { name: 'nul\u0000byte', entityType: 'odd', observations: [] },
      ],
    });
    // The first search scans in SQLite, the second builds the index, later ones use it: all agree.
    for (let round = 0; round < 3; round++) {
      expect(names(await ok('search_nodes', { query: 'alpha' })), `round ${round}`).toEqual(['Alpha']);
      expect(names(await ok('search_nodes', { query: 'σίσυφος' })), `round ${round}`).toEqual(['Ωmega']);
      expect(names(await ok('search_nodes', { query: 'LETTER' })), `round ${round}`).toEqual(['Alpha', 'Ωmega']);
      expect(names(await ok('search_nodes', { query: 'l\u0000b' })), `round ${round}`).toEqual(['nul\u0000byte']);
      // Fields are matched one by one: no match across the end of one and the start of the next.
      expect(names(await ok('search_nodes', { query: 'alphaletter' })), `round ${round}`).toEqual([]);
    }
    await ok('add_observations', { observations: [{ entityName: 'Alpha', contents: ['also a Beta tester'] }] });
    expect(names(await ok('search_nodes', { query: 'beta' }))).toEqual(['Alpha']);
    await ok('search_nodes', { query: 'beta' });
    await ok('delete_observations', { deletions: [{ entityName: 'Alpha', observations: ['also a Beta tester'] }] });
    expect(names(await ok('search_nodes', { query: 'beta' }))).toEqual([]);
    await ok('search_nodes', { query: 'beta' });
    // Another connection to the same store (another process, in production) writes.
    await other.ok('create_entities', { entities: [{ name: 'Beta', entityType: 'letter', observations: [] }] });
    expect(names(await ok('search_nodes', { query: 'beta' }))).toEqual(['Beta']);
    await ok('search_nodes', { query: 'beta' });
    await other.ok('delete_entities', { entityNames: ['Beta'] });
    expect(names(await ok('search_nodes', { query: 'beta' }))).toEqual([]);
    // A snapshot restored on this connection.
    const snapshot = await ok('memory_backup');
    await ok('create_entities', { entities: [{ name: 'Gamma', entityType: 'letter', observations: [] }] });
    expect(names(await ok('search_nodes', { query: 'gamma' }))).toEqual(['Gamma']);
    expect(names(await ok('search_nodes', { query: 'gamma' }))).toEqual(['Gamma']);
    await ok('memory_restore', { snapshot: snapshot.name, confirm: snapshot.name });
    expect(names(await ok('search_nodes', { query: 'gamma' }))).toEqual([]);
  });
});
