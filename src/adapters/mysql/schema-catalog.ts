import type { TableDescription, TableSummary } from '../sql/engine.js';

/** Runs one catalog query with bound values and returns its rows as objects. */
export type RunCatalogQuery = (sql: string, params: readonly (string | null)[]) => Promise<Record<string, unknown>[]>;

/** Schemas of the server itself, left out when no database is configured and every schema is listed. */
const SYSTEM_SCHEMAS = ['information_schema', 'mysql', 'performance_schema', 'sys'];

/**
 * Tables, views and sequences of the configured database — or of every non-system schema the
 * account can see when the service names no database (then each carries its schema).
 */
export async function listTables(run: RunCatalogQuery): Promise<TableSummary[]> {
  const rows = await run(
    `SELECT TABLE_SCHEMA AS s, TABLE_NAME AS n, TABLE_TYPE AS t, DATABASE() AS current_db
       FROM information_schema.TABLES
      WHERE (DATABASE() IS NOT NULL AND TABLE_SCHEMA = DATABASE())
         OR (DATABASE() IS NULL AND TABLE_SCHEMA NOT IN (${SYSTEM_SCHEMAS.map(() => '?').join(', ')}))
      ORDER BY TABLE_SCHEMA, TABLE_NAME`,
    SYSTEM_SCHEMAS,
  );
  return rows.map((row) => ({
    ...(row.current_db === null ? { schema: String(row.s) } : {}),
    name: String(row.n),
    type: String(row.t).includes('VIEW') ? 'view' : 'table',
  }));
}

/**
 * Columns (type, nullability, default), primary key, foreign keys and indexes of `name`
 * (`table` in the configured database, or `schema.table`); `undefined` when there is no such table.
 */
export async function describeTable(run: RunCatalogQuery, name: string): Promise<TableDescription | undefined> {
  const { schema, table } = splitName(name);
  const where = 'TABLE_SCHEMA = COALESCE(?, DATABASE()) AND TABLE_NAME = ?';
  const params = [schema ?? null, table];
  const columns = await run(
    `SELECT TABLE_SCHEMA AS s, COLUMN_NAME AS name, COLUMN_TYPE AS type, IS_NULLABLE AS nullable, COLUMN_DEFAULT AS dflt, EXTRA AS extra
       FROM information_schema.COLUMNS WHERE ${where} ORDER BY ORDINAL_POSITION`,
    params,
  );
  if (columns.length === 0) return undefined;
  const keys = await run(
    `SELECT CONSTRAINT_NAME AS c, COLUMN_NAME AS col, REFERENCED_TABLE_SCHEMA AS rs, REFERENCED_TABLE_NAME AS rt, REFERENCED_COLUMN_NAME AS rc
       FROM information_schema.KEY_COLUMN_USAGE WHERE ${where} ORDER BY CONSTRAINT_NAME, ORDINAL_POSITION`,
    params,
  );
  const indexRows = await run(
    `SELECT INDEX_NAME AS i, NON_UNIQUE AS nu, COLUMN_NAME AS col
       FROM information_schema.STATISTICS WHERE ${where} ORDER BY INDEX_NAME = 'PRIMARY' DESC, INDEX_NAME, SEQ_IN_INDEX`,
    params,
  );
  const tableSchema = String(columns[0]!.s);
  const foreignKeys = new Map<string, { columns: string[]; table: string; references: string[] }>();
  for (const key of keys) {
    if (key.rt === null || key.rt === undefined) continue;
    const referenced = key.rs === tableSchema ? String(key.rt) : `${String(key.rs)}.${String(key.rt)}`;
    const entry = foreignKeys.get(String(key.c)) ?? { columns: [], table: referenced, references: [] };
    entry.columns.push(String(key.col));
    entry.references.push(String(key.rc));
    foreignKeys.set(String(key.c), entry);
  }
  const indexes = new Map<string, { name: string; columns: string[]; unique: boolean }>();
  for (const row of indexRows) {
    const entry = indexes.get(String(row.i)) ?? { name: String(row.i), columns: [], unique: Number(row.nu) === 0 };
    if (row.col !== null) entry.columns.push(String(row.col));
    indexes.set(String(row.i), entry);
  }
  return {
    ...(schema !== undefined ? { schema: tableSchema } : {}),
    name: table,
    columns: columns.map((column) => ({
      name: String(column.name),
      type: String(column.type) + (String(column.extra ?? '').includes('auto_increment') ? ' AUTO_INCREMENT' : ''),
      nullable: column.nullable === 'YES',
      default: defaultValue(column.dflt),
    })),
    primaryKey: keys.filter((key) => key.c === 'PRIMARY').map((key) => String(key.col)),
    foreignKeys: [...foreignKeys.values()],
    indexes: [...indexes.values()],
  };
}

/** `schema.table`, `` `schema`.`table` `` or `table`. Quoted names keep their dots. */
export function splitName(name: string): { schema?: string; table: string } {
  const parts = [...name.matchAll(/`((?:[^`]|``)*)`|([^.`]+)/g)].map((part) => (part[1] !== undefined ? part[1].replace(/``/g, '`') : part[2]!));
  if (parts.length === 2) return { schema: parts[0]!, table: parts[1]! };
  return { table: parts.length === 1 ? parts[0]! : name };
}

/**
 * MariaDB reports defaults as SQL expressions (`'abc'`, `current_timestamp()`, `NULL`): kept as
 * written, except that an explicit `NULL` default and "no default" both read as null.
 */
function defaultValue(value: unknown): string | null {
  if (value === null || value === undefined || value === 'NULL') return null;
  return String(value);
}
