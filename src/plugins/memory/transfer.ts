import type BetterSqlite3 from 'better-sqlite3';
import type { Entity, KvRecord, MemoryDump, Relation } from './export-format.js';

/** What an import changed. */
export interface LoadResult {
  entities: number;
  observations: number;
  relations: number;
  kv: number;
  /** Entries whose expiry had passed: not imported. */
  expired: number;
}

/**
 * Writes a dump into the store; the caller runs it inside one transaction, so an import is all or
 * nothing. `merge` adds what is missing: new entities, the observations an existing entity lacks, new
 * relations; key–value entries overwrite entries with the same key. `replace` empties the store first.
 * `validate` checks each entry's value against its namespace's schema and throws to refuse the import.
 */
export function loadDump(
  db: BetterSqlite3.Database,
  dump: Pick<MemoryDump, 'entities' | 'relations' | 'kv'>,
  options: { mode: 'merge' | 'replace'; now: number; validate?: (entry: KvRecord, index: number) => void },
): LoadResult {
  if (options.mode === 'replace') wipe(db);
  const result: LoadResult = { entities: 0, observations: 0, relations: 0, kv: 0, expired: 0 };
  const findEntity = db.prepare<[string], { id: number }>('SELECT id FROM entities WHERE name = ?');
  const addEntity = db.prepare('INSERT INTO entities (name, entity_type) VALUES (?, ?)');
  const hasObservation = db.prepare('SELECT 1 FROM observations WHERE entity_id = ? AND content = ?');
  const addObservation = db.prepare('INSERT INTO observations (entity_id, content) VALUES (?, ?)');
  for (const entity of dump.entities) {
    const found = findEntity.get(entity.name);
    if (!found) {
      const id = Number(addEntity.run(entity.name, entity.entityType).lastInsertRowid);
      result.entities++;
      for (const content of entity.observations) addObservation.run(id, content);
      result.observations += entity.observations.length;
      continue;
    }
    for (const content of entity.observations) {
      if (hasObservation.get(found.id, content)) continue;
      addObservation.run(found.id, content);
      result.observations++;
    }
  }
  const addRelation = db.prepare('INSERT OR IGNORE INTO relations (from_name, to_name, relation_type) VALUES (?, ?, ?)');
  for (const relation of dump.relations) result.relations += addRelation.run(relation.from, relation.to, relation.relationType).changes;
  const putEntry = db.prepare(
    `INSERT INTO kv (namespace, key, value, created_at, updated_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (namespace, key) DO UPDATE SET value = excluded.value, created_at = excluded.created_at,
       updated_at = excluded.updated_at, expires_at = excluded.expires_at`,
  );
  dump.kv.forEach((entry, index) => {
    if (entry.expiresAt !== null && entry.expiresAt <= options.now) {
      result.expired++;
      return;
    }
    options.validate?.(entry, index);
    putEntry.run(entry.namespace, entry.key, entry.json, entry.createdAt, entry.updatedAt, entry.expiresAt);
    result.kv++;
  });
  return result;
}

/** Empties every data table (inside the caller's transaction). */
export function wipe(db: BetterSqlite3.Database): void {
  db.exec('DELETE FROM kv; DELETE FROM observations; DELETE FROM relations; DELETE FROM entities;');
}

/**
 * Everything in the store, read in one transaction so the dump is one consistent moment: entities
 * with their observations and relations in insertion order, live key–value entries by namespace and key.
 */
export function dumpStore(db: BetterSqlite3.Database, now: number): Omit<MemoryDump, 'skipped'> {
  return db.transaction(() => ({
    entities: readEntities(db),
    relations: readRelations(db),
    kv: db
      .prepare<[number], KvRecord>(
        `SELECT namespace, key, value AS json, created_at AS createdAt, updated_at AS updatedAt, expires_at AS expiresAt
         FROM kv WHERE expires_at IS NULL OR expires_at > ? ORDER BY namespace, key`,
      )
      .all(now),
  }))();
}

/** All entities in insertion order, each with its observations in insertion order. */
export function readEntities(db: BetterSqlite3.Database, where = '', params: unknown[] = []): Entity[] {
  const entities = new Map<number, Entity>();
  const rows = db.prepare<unknown[], { id: number; name: string; entity_type: string }>(`SELECT id, name, entity_type FROM entities ${where} ORDER BY id`);
  for (const row of rows.iterate(...params)) entities.set(row.id, { name: row.name, entityType: row.entity_type, observations: [] });
  if (entities.size === 0) return [];
  const observations = db.prepare<[], { entity_id: number; content: string }>('SELECT entity_id, content FROM observations ORDER BY entity_id, id');
  if (where === '') {
    for (const row of observations.iterate()) entities.get(row.entity_id)?.observations.push(row.content);
  } else {
    const ofEntity = db.prepare<[number], { content: string }>('SELECT content FROM observations WHERE entity_id = ? ORDER BY id').pluck();
    for (const [id, entity] of entities) entity.observations = ofEntity.all(id) as unknown as string[];
  }
  return [...entities.values()];
}

/** All relations in insertion order. */
export function readRelations(db: BetterSqlite3.Database): Relation[] {
  return db.prepare<[], Relation>('SELECT from_name AS "from", to_name AS "to", relation_type AS relationType FROM relations ORDER BY id').all();
}
