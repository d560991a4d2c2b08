import { defineSqlType } from '../sql/sql-service-type.js';
import { mysqlConfigSchema } from './config.js';
import { MysqlEngine } from './engine.js';

/**
 * The `mysql` service type: MySQL and MariaDB through `mysql2`, loaded when the service first starts.
 * Reads run in a read-only session and transaction the server enforces; see docs/services/mysql.md.
 *
 * @example
 * services:
 *   mysql:
 *     dsn: "user:pass@tcp(localhost:3306)/dbname"
 */
export default defineSqlType({
  name: 'mysql',
  version: '1.0.0',
  description: 'MySQL / MariaDB: read-only queries enforced by the server, writes with read_only: false, schemas, plans, named queries',
  configSchema: mysqlConfigSchema,
  placeholderHint: '?',
  engine: (ctx) => new MysqlEngine(ctx),
});
