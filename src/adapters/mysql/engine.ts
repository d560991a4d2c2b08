import type { PoolConnection, ResultSetHeader } from 'mysql2/promise';
import type { ServiceContext } from '../../sdk/index.js';
import type { ExecuteOutcome, QueryOptions, QueryOutcome, SqlEngine, TableDescription, TableSummary } from '../sql/engine.js';
import type { MysqlConfig } from './config.js';
import type { WithStatementTimeout } from '../sql/config.js';
import { describeAddress, driverOptions, type MysqlTarget, resolveTarget } from './connection-target.js';
import { classifyMysqlError } from './errors.js';
import { ConnectionPool } from './pool.js';
import { streamFirstResult } from './result-stream.js';
import { describeTable, listTables, type RunCatalogQuery } from './schema-catalog.js';
import { type Interrupt, inTransaction, type ServerFlavor, type TransactionOptions } from './transaction.js';

type Driver = typeof import('mysql2/promise');

/**
 * The MySQL/MariaDB engine: a driver pool per account, every call in a transaction the server
 * enforces (see transaction.ts), results streamed and capped (see result-stream.ts).
 *
 * Reads (query, explain, list_tables, describe_table) use the `read_only_user` account when one is
 * configured, otherwise the main account; `execute` always uses the main account.
 */
export class MysqlEngine implements SqlEngine {
  /** String literals as this dialect writes them, for named-query placeholder rewriting. */
  readonly quoting = { backslashEscapes: true, dollarQuotes: false };
  readonly address: string;
  readonly #ctx: ServiceContext<WithStatementTimeout<MysqlConfig>>;
  readonly #target: MysqlTarget;
  #writer: ConnectionPool | undefined;
  #reader: ConnectionPool | undefined;
  #flavor: ServerFlavor = 'mariadb';

  constructor(ctx: ServiceContext<WithStatementTimeout<MysqlConfig>>) {
    this.#ctx = ctx;
    this.#target = resolveTarget(ctx.config);
    this.address = describeAddress(this.#target);
  }

  placeholder(): string {
    return '?';
  }

  async connect(signal: AbortSignal): Promise<void> {
    const driver = await this.#ctx.importDriver<Driver>('mysql2/promise');
    const { pool, read_only_user: reader } = this.#ctx.config;
    const settings = { max: pool.max_connections, idle: pool.idle_connections, idleTimeoutMs: pool.idle_timeout };
    const logger = this.#ctx.logger;
    let base: Awaited<ReturnType<typeof driverOptions>>;
    try {
      base = await driverOptions(this.#target, { user: this.#target.user, password: this.#target.password });
    } catch (error) {
      throw new Error(`${(error as Error).message} (config.ssl)`, { cause: error });
    }
    const create = (options: typeof base, name: string) => {
      try {
        return new ConnectionPool(driver, options, settings, logger.child({ pool: name }));
      } catch (error) {
        // The driver rejects an unknown charset when the pool is made.
        throw new Error(`cannot set up the connection pool: ${(error as Error).message} (config.charset is "${this.#target.charset}")`, { cause: error });
      }
    };
    this.#writer = create(base, 'main');
    this.#reader = reader ? create({ ...base, user: reader.user, password: reader.password ?? '' }, 'read_only_user') : this.#writer;
    await this.ping(signal);
    this.#flavor = await this.#detectFlavor(signal);
  }

  async close(): Promise<void> {
    const pools = new Set([this.#writer, this.#reader]);
    this.#writer = this.#reader = undefined;
    await Promise.all([...pools].map((pool) => pool?.close()));
  }

  async ping(signal: AbortSignal): Promise<void> {
    for (const pool of new Set([this.#pool('write'), this.#pool('read')])) {
      const connection = await pool.acquire(signal);
      try {
        await connection.ping();
        connection.release();
      } catch (error) {
        connection.destroy();
        throw error;
      }
    }
  }

  query(sql: string, params: readonly unknown[], options: QueryOptions): Promise<QueryOutcome> {
    // A read-only service runs every named query read-only too; `readOnly: false` from the shared
    // layer never reaches here for `query` (writes go through execute).
    const transaction = this.#transaction(options, { selectLimit: options.maxRows + 1 });
    return inTransaction(this.#pool('read'), transaction, this.#ctx.logger, (connection, interrupt: Interrupt) =>
      streamFirstResult(connection, sql, params, options.maxRows, interrupt),
    );
  }

  explain(sql: string, params: readonly unknown[], options: QueryOptions): Promise<QueryOutcome> {
    // Plain EXPLAIN only: `ANALYZE <stmt>` would run the statement, and it is never sent.
    return this.query(`EXPLAIN ${sql}`, params, { ...options, readOnly: true });
  }

  execute(sql: string, params: readonly unknown[], options: Omit<QueryOptions, 'readOnly' | 'maxRows'>): Promise<ExecuteOutcome> {
    const transaction = this.#transaction(options, { readOnly: false });
    return inTransaction(this.#pool('write'), transaction, this.#ctx.logger, async (connection) => {
      const [result] = params.length === 0 ? await connection.query(sql) : await connection.execute(sql, [...params] as never[]);
      // `INSERT … RETURNING` / `DELETE … RETURNING` answer with rows rather than a header.
      if (Array.isArray(result)) return { affectedRows: result.length };
      const header = result as ResultSetHeader;
      return { affectedRows: header.affectedRows, ...(header.insertId ? { lastInsertId: header.insertId } : {}) };
    });
  }

  listTables(signal: AbortSignal): Promise<readonly TableSummary[]> {
    return this.#catalog(signal, (run) => listTables(run));
  }

  describeTable(name: string, signal: AbortSignal): Promise<TableDescription | undefined> {
    return this.#catalog(signal, (run) => describeTable(run, name));
  }

  classify(error: unknown): 'connection' | 'timeout' | 'statement' {
    return classifyMysqlError(error);
  }

  /** MariaDB or MySQL, from the server's version string (`10.11.19-MariaDB-…`). */
  async #detectFlavor(signal: AbortSignal): Promise<ServerFlavor> {
    const connection = await this.#pool('read').acquire(signal);
    try {
      const [rows] = await connection.query('SELECT VERSION() AS version');
      const version = String((rows as { version?: unknown }[])[0]?.version ?? '');
      this.#ctx.logger.debug({ version }, 'connected');
      return /mariadb/i.test(version) ? 'mariadb' : 'mysql';
    } finally {
      connection.release();
    }
  }

  #catalog<T>(signal: AbortSignal, work: (run: RunCatalogQuery) => Promise<T>): Promise<T> {
    const transaction = this.#transaction({ timeoutMs: this.#ctx.config.timeout, signal });
    return inTransaction(this.#pool('read'), transaction, this.#ctx.logger, (connection: PoolConnection) =>
      work(async (sql, params) => (await connection.execute(sql, [...params]))[0] as Record<string, unknown>[]),
    );
  }

  #transaction(options: Pick<QueryOptions, 'timeoutMs' | 'signal'>, extra: Partial<TransactionOptions> = {}): TransactionOptions {
    return { flavor: this.#flavor, readOnly: true, timeoutMs: options.timeoutMs, signal: options.signal, ...extra };
  }

  #pool(kind: 'read' | 'write'): ConnectionPool {
    const pool = kind === 'read' ? this.#reader : this.#writer;
    if (!pool) throw new Error('the engine is not connected (start() has not run or stop() ran)');
    return pool;
  }
}
