import type BetterSqlite3 from 'better-sqlite3';

/** The version of the tables below; stored in `meta.schema_version`. A newer store is refused, never rewritten. */
export const SCHEMA_VERSION = 1;

/**
 * The store's tables. Key–value entries and the knowledge graph live side by side in one file, so a
 * snapshot or a restore covers both at once. Row ids keep insertion order, which the graph tools
 * return as `@modelcontextprotocol/server-memory` does (entities and observations in the order added).
 * Relations name their entities (as the reference does) rather than pointing at rows: a relation may
 * name an entity that does not exist (yet).
 */
const TABLES = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS kv (
  id INTEGER PRIMARY KEY,
  namespace TEXT NOT NULL,
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  expires_at INTEGER,
  UNIQUE (namespace, key)
);
CREATE INDEX IF NOT EXISTS kv_expiry ON kv (expires_at) WHERE expires_at IS NOT NULL;
CREATE TABLE IF NOT EXISTS entities (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  entity_type TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS observations (
  id INTEGER PRIMARY KEY,
  entity_id INTEGER NOT NULL REFERENCES entities (id) ON DELETE CASCADE,
  content TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS observations_entity ON observations (entity_id, id);
CREATE TABLE IF NOT EXISTS relations (
  id INTEGER PRIMARY KEY,
  from_name TEXT NOT NULL,
  to_name TEXT NOT NULL,
  relation_type TEXT NOT NULL,
  UNIQUE (from_name, to_name, relation_type)
);
CREATE INDEX IF NOT EXISTS relations_to ON relations (to_name);
`;

/** The data tables, in an order that respects their references (for copying and wiping). */
export const DATA_TABLES = ['kv', 'entities', 'observations', 'relations'] as const;

/**
 * Creates the tables when missing. Returns the schema version found before (undefined for a new
 * store). Runs inside the caller's transaction.
 */
export function ensureTables(db: BetterSqlite3.Database): number | undefined {
  db.exec(TABLES);
  const found = db.prepare<[], { value: string }>("SELECT value FROM meta WHERE key = 'schema_version'").get();
  return found ? Number(found.value) : undefined;
}

/** Records the schema version and where the store came from (an import, or nothing). */
export function markInitialized(db: BetterSqlite3.Database, details: Record<string, string>): void {
  const put = db.prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)');
  put.run('schema_version', String(SCHEMA_VERSION));
  put.run('created_at', new Date().toISOString());
  for (const [key, value] of Object.entries(details)) put.run(key, value);
}
