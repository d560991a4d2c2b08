import { defineSqlType } from '../sql/sql-service-type.js';
import { postgresConfigSchema } from './config.js';
import { PostgresEngine } from './engine.js';

/**
 * The `postgres` service type: PostgreSQL through the `pg` driver (loaded when the service starts).
 * Tools query, list_tables, describe_table, explain, named queries — and execute with
 * `read_only: false`. Reads run in read-only transactions the server enforces. See docs/services/postgres.md.
 *
 * @example
 * services:
 *   orders_db:
 *     driver: postgres
 *     dsn: postgres://reader@db.internal:5432/orders
 *     config: { timeout: 15s }
 */
export default defineSqlType({
  name: 'postgres',
  version: '1.0.0',
  description: 'PostgreSQL: read-only queries in server-enforced read-only transactions, schema browsing, plans, named queries',
  configSchema: postgresConfigSchema,
  placeholderHint: '$1, $2, …',
  engine: (ctx) => new PostgresEngine(ctx),
});
