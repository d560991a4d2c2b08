import type BetterSqlite3 from 'better-sqlite3';
import type { Entity, Relation } from './export-format.js';
import { FIELD_SEPARATOR, SearchIndex } from './search-index.js';
import { readEntities, readRelations } from './transfer.js';

/** The SQL function that lower-cases as JavaScript does and tests for a substring. */
const CONTAINS_LOWER = 'mcpeg_contains_lower';
/**
 * SQL: `column` contains :needle once lower-cased the way JavaScript does it. ASCII text (as many bytes
 * as characters) goes through SQLite's own lower(); anything else through CONTAINS_LOWER.
 */
function contains(column: string): string {
  return `(CASE WHEN octet_length(${column}) = length(${column}) THEN instr(lower(${column}), :needle) > 0 ELSE ${CONTAINS_LOWER}(${column}, :needle) END)`;
}

export interface Graph {
  entities: Entity[];
  relations: Relation[];
}

/** add_observations named an entity that does not exist; nothing was written. */
export class EntityNotFound extends Error {
  override readonly name = 'EntityNotFound';

  constructor(readonly entityName: string) {
    // The reference server's exact text: prompts and clients may match on it.
    super(`Entity with name ${entityName} not found`);
  }
}

/**
 * The knowledge graph of `@modelcontextprotocol/server-memory`, with its semantics kept exactly (see
 * docs/plugins/memory.md, "Compatibility"): entities are unique by name, relations by
 * (from, to, relationType); existing ones are skipped, not updated; everything comes back in insertion
 * order. Each call is one SQLite transaction, so a batch is all or nothing.
 */
export class GraphStore {
  readonly #db: BetterSqlite3.Database;
  /** Changes when another connection (another process) commits. */
  readonly #dataVersion: BetterSqlite3.Statement<[], number>;
  /** Writes through this connection that may have changed the graph (see {@link invalidate}). */
  #writes = 0;
  /** The in-memory search index and the graph version it was built from. */
  #index: { version: string; index: SearchIndex } | undefined;
  /** The graph version the previous search saw: an index is built when two searches in a row see the same. */
  #lastSearched: string | undefined;
  /** False once the graph was too large to index: searches scan in SQLite from then on. */
  #indexable = true;
  /** Statements of the search path, prepared on first use. */
  #touchingStatement: BetterSqlite3.Statement<[{ names: string }], Relation> | undefined;
  #byIds:
    | {
        entities: BetterSqlite3.Statement<[string], { id: number; name: string; type: string }>;
        observations: BetterSqlite3.Statement<[string], { id: number; content: string }>;
      }
    | undefined;

  constructor(db: BetterSqlite3.Database) {
    this.#db = db;
    this.#dataVersion = db.prepare<[], number>('PRAGMA data_version').pluck();
    // JavaScript's lower-casing, for text SQLite's lower() would get wrong (it folds ASCII only).
    db.function(CONTAINS_LOWER, { deterministic: true }, (text: unknown, needle: unknown) => (String(text).toLowerCase().includes(String(needle)) ? 1 : 0));
  }

  /** Creates the entities whose names are new; returns those it created, as given. */
  createEntities(entities: readonly Entity[]): Entity[] {
    this.#writes++;
    const exists = this.#db.prepare('SELECT 1 FROM entities WHERE name = ?');
    const insert = this.#db.prepare('INSERT INTO entities (name, entity_type) VALUES (?, ?)');
    const observe = this.#db.prepare('INSERT INTO observations (entity_id, content) VALUES (?, ?)');
    return this.#db.transaction(() => {
      const created: Entity[] = [];
      for (const entity of entities) {
        // A name twice in one call: the first is kept (the reference would store both, see the docs).
        if (exists.get(entity.name)) continue;
        const id = insert.run(entity.name, entity.entityType).lastInsertRowid;
        for (const content of entity.observations) observe.run(id, content);
        created.push(entity);
      }
      return created;
    }).immediate();
  }

  /** Creates the relations that do not exist yet (its endpoints need not exist); returns those created. */
  createRelations(relations: readonly Relation[]): Relation[] {
    this.#writes++;
    const insert = this.#db.prepare('INSERT OR IGNORE INTO relations (from_name, to_name, relation_type) VALUES (?, ?, ?)');
    return this.#db.transaction(() => relations.filter((relation) => insert.run(relation.from, relation.to, relation.relationType).changes > 0)).immediate();
  }

  /**
   * Adds each entity's contents that it does not already hold. An unknown entity fails the whole call
   * with {@link EntityNotFound} and nothing is written.
   */
  addObservations(observations: readonly { entityName: string; contents: string[] }[]): { entityName: string; addedObservations: string[] }[] {
    this.#writes++;
    const find = this.#db.prepare<[string], number>('SELECT id FROM entities WHERE name = ?').pluck();
    const current = this.#db.prepare<[number], string>('SELECT content FROM observations WHERE entity_id = ?').pluck();
    const observe = this.#db.prepare('INSERT INTO observations (entity_id, content) VALUES (?, ?)');
    return this.#db.transaction(() =>
      observations.map(({ entityName, contents }) => {
        const id = find.get(entityName);
        if (id === undefined) throw new EntityNotFound(entityName);
        const held = new Set(current.all(id));
        // As in the reference: compared with what the entity held before this item, so a content
        // given twice in one item is added twice.
        const added = contents.filter((content) => !held.has(content));
        for (const content of added) observe.run(id, content);
        return { entityName, addedObservations: added };
      }),
    ).immediate();
  }

  /** Deletes entities and every relation from or to them. Unknown names are ignored. */
  deleteEntities(names: readonly string[]): void {
    this.#writes++;
    const remove = this.#db.prepare('DELETE FROM entities WHERE name = ?');
    const unlink = this.#db.prepare('DELETE FROM relations WHERE from_name = ? OR to_name = ?');
    this.#db.transaction(() => {
      for (const name of names) {
        remove.run(name);
        unlink.run(name, name);
      }
    }).immediate();
  }

  /** Deletes the given observations (every copy) from entities; unknown entities are ignored. */
  deleteObservations(deletions: readonly { entityName: string; observations: string[] }[]): void {
    this.#writes++;
    const remove = this.#db.prepare('DELETE FROM observations WHERE entity_id = (SELECT id FROM entities WHERE name = ?) AND content = ?');
    this.#db.transaction(() => {
      for (const { entityName, observations } of deletions) for (const content of observations) remove.run(entityName, content);
    }).immediate();
  }

  deleteRelations(relations: readonly Relation[]): void {
    this.#writes++;
    const remove = this.#db.prepare('DELETE FROM relations WHERE from_name = ? AND to_name = ? AND relation_type = ?');
    this.#db.transaction(() => {
      for (const relation of relations) remove.run(relation.from, relation.to, relation.relationType);
    }).immediate();
  }

  readGraph(): Graph {
    return this.#db.transaction(() => ({ entities: readEntities(this.#db), relations: readRelations(this.#db) }))();
  }

  /**
   * Entities whose name, type or any observation contains `query`, compared in lower case as
   * JavaScript lower-cases (so non-ASCII letters match as in the reference), with every relation that
   * touches one of them.
   */
  searchNodes(query: string, signal?: AbortSignal): Graph {
    const needle = query.toLowerCase();
    return this.#db.transaction(() => {
      signal?.throwIfAborted();
      const ids = this.#matching(needle);
      const entities = ids.length === 0 ? [] : this.#entitiesWithIds(ids);
      return { entities, relations: this.#touching(entities) };
    })();
  }

  /** The graph changed in a way the store did not see itself (a restore or an import on this connection). */
  invalidate(): void {
    this.#writes++;
  }

  /**
   * Ids of the entities matching `needle`, from the in-memory index while the graph is unchanged. The
   * index is built on the second search in a row that finds the graph unchanged, so a store written
   * between every search keeps scanning in SQLite rather than rebuilding for each.
   */
  #matching(needle: string): number[] {
    if (!this.#indexable || needle.includes(FIELD_SEPARATOR)) return this.#scan(needle);
    const version = `${this.#dataVersion.get()}:${this.#writes}`;
    if (this.#index?.version === version) return this.#index.index.search(needle);
    this.#index = undefined;
    if (this.#lastSearched === version) {
      const index = SearchIndex.build(this.#db);
      if (index) {
        this.#index = { version, index };
        return index.search(needle);
      }
      this.#indexable = false;
    }
    this.#lastSearched = version;
    return this.#scan(needle);
  }

  /** Filtered in SQLite: ASCII text with SQLite's lower(), anything else with JavaScript's (see CONTAINS_LOWER). */
  #scan(needle: string): number[] {
    return this.#db
      .prepare<[{ needle: string }], number>(
        `SELECT id FROM entities WHERE ${contains('name')} OR ${contains('entity_type')}
           OR id IN (SELECT entity_id FROM observations WHERE ${contains('content')}) ORDER BY id`,
      )
      .pluck()
      .all({ needle });
  }

  /** The named entities (in insertion order, unknown names ignored) and every relation that touches one of them. */
  openNodes(names: readonly string[]): Graph {
    return this.#db.transaction(() => {
      const find = this.#db.prepare<[string], number>('SELECT id FROM entities WHERE name = ?').pluck();
      const ids = [...new Set(names.map((name) => find.get(name)).filter((id): id is number => id !== undefined))].sort((a, b) => a - b);
      const entities = ids.length === 0 ? [] : this.#entitiesWithIds(ids);
      return { entities, relations: this.#touching(entities) };
    })();
  }

  counts(): { entities: number; observations: number; relations: number } {
    const count = (table: string) => this.#db.prepare<[], number>(`SELECT count(*) FROM ${table}`).pluck().get()!;
    return { entities: count('entities'), observations: count('observations'), relations: count('relations') };
  }

  #touching(entities: readonly Entity[]): Relation[] {
    if (entities.length === 0) return [];
    this.#touchingStatement ??= this.#db.prepare<[{ names: string }], Relation>(
      `SELECT from_name AS "from", to_name AS "to", relation_type AS relationType FROM relations
       WHERE from_name IN (SELECT value FROM json_each(:names)) OR to_name IN (SELECT value FROM json_each(:names)) ORDER BY id`,
    );
    return this.#touchingStatement.all({ names: JSON.stringify(entities.map((entity) => entity.name)) });
  }

  /** The entities with these ids (ascending), observations in insertion order: two statements, prepared once. */
  #entitiesWithIds(ids: readonly number[]): Entity[] {
    this.#byIds ??= {
      entities: this.#db.prepare<[string], { id: number; name: string; type: string }>(
        'SELECT id, name, entity_type AS type FROM entities WHERE id IN (SELECT value FROM json_each(?)) ORDER BY id',
      ),
      observations: this.#db.prepare<[string], { id: number; content: string }>(
        'SELECT entity_id AS id, content FROM observations WHERE entity_id IN (SELECT value FROM json_each(?)) ORDER BY entity_id, id',
      ),
    };
    const list = JSON.stringify(ids);
    const byId = new Map<number, Entity>();
    for (const row of this.#byIds.entities.iterate(list)) byId.set(row.id, { name: row.name, entityType: row.type, observations: [] });
    for (const row of this.#byIds.observations.iterate(list)) byId.get(row.id)?.observations.push(row.content);
    return [...byId.values()];
  }
}
