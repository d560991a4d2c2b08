import { defineSqlType } from '../sql/sql-service-type.js';
import { sqliteConfigSchema } from './config.js';
import { SqliteEngine } from './engine.js';

export { DEMO_COUNTS, DEMO_SEED, DEMO_VERSION, demoDatabase } from './demo-data.js';

/**
 * The `sqlite` service type: a SQLite database file through better-sqlite3 (loaded when the service
 * starts), run in a child process of its own. Tools query, list_tables, describe_table, explain and
 * named queries — and execute with `read_only: false`. Reads run on a connection SQLite keeps
 * read-only (SQLITE_OPEN_READONLY and query_only). `demo: true` creates the demo shop database on
 * first start. See docs/services/sqlite.md.
 *
 * @example
 * services:
 *   shop:
 *     driver: sqlite
 *     path: data/shop.db
 *     config: { timeout: 5s }
 */
export default defineSqlType({
  name: 'sqlite',
  version: '1.0.0',
  description: 'SQLite database files: read-only queries enforced by SQLite, schema browsing, plans, named queries; demo: true creates a sample shop database',
  configSchema: sqliteConfigSchema,
  placeholderHint: '?',
  engine: (ctx) => new SqliteEngine(ctx),
});
