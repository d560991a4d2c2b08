import type { SqlQuoting } from './named-parameters.js';

/**
 * The contract each SQL engine (sqlite, postgres, mysql) implements. The shared layer in this
 * folder turns an engine into tools, resources and a service type; an engine only speaks to its
 * database. Every method honours `signal` and cancels the statement on the server when it fires.
 */
export interface SqlColumn {
  readonly name: string;
  /** The database's own type name (int4, varchar, INTEGER, …). */
  readonly type: string;
}

export interface QueryOutcome {
  readonly columns: readonly SqlColumn[];
  readonly rows: readonly (readonly unknown[])[];
  /** True when rows were cut at `maxRows` (the engine fetched one more to know). */
  readonly truncated: boolean;
}

export interface QueryOptions {
  /** Enforced by the database: a read-only transaction, connection or `query_only`. Never by parsing SQL. */
  readonly readOnly: boolean;
  /** Statement timeout, enforced by the server. */
  readonly timeoutMs: number;
  readonly maxRows: number;
  readonly signal: AbortSignal;
}

export interface ExecuteOutcome {
  readonly affectedRows: number;
  readonly lastInsertId?: string | number;
}

export interface TableSummary {
  readonly schema?: string;
  readonly name: string;
  readonly type: 'table' | 'view';
}

export interface TableDescription {
  readonly schema?: string;
  readonly name: string;
  readonly columns: readonly {
    readonly name: string;
    readonly type: string;
    readonly nullable: boolean;
    readonly default?: string | null;
  }[];
  readonly primaryKey: readonly string[];
  readonly foreignKeys: readonly { readonly columns: readonly string[]; readonly table: string; readonly references: readonly string[] }[];
  readonly indexes: readonly { readonly name: string; readonly columns: readonly string[]; readonly unique: boolean }[];
}

export interface SqlEngine {
  /** Where the database is, without credentials, for error messages: `postgres://127.0.0.1:5432/shop`. */
  readonly address: string;
  /** How string literals are quoted, so named-query placeholders inside them are left alone (default: standard SQL). */
  readonly quoting?: SqlQuoting;
  /** Placeholder for the i-th bound parameter (0-based): `$1` for postgres, `?` for mysql and sqlite. */
  placeholder(index: number): string;
  /** Import the driver, create the pool, and prove one connection works. */
  connect(signal: AbortSignal): Promise<void>;
  close(): Promise<void>;
  ping(signal: AbortSignal): Promise<void>;
  query(sql: string, params: readonly unknown[], options: QueryOptions): Promise<QueryOutcome>;
  /** Runs a write or DDL statement in a transaction, committed only if it succeeds. */
  execute(sql: string, params: readonly unknown[], options: Omit<QueryOptions, 'readOnly' | 'maxRows'>): Promise<ExecuteOutcome>;
  listTables(signal: AbortSignal): Promise<readonly TableSummary[]>;
  /** `undefined` when there is no such table or view. `name` may be `schema.table`. */
  describeTable(name: string, signal: AbortSignal): Promise<TableDescription | undefined>;
  /**
   * What kind of failure an error from this engine's driver is: `connection` (the database is
   * unreachable or the pool broke — counts against the service's breaker), `timeout` (the server
   * cancelled the statement at `timeout`), or `statement` (the SQL itself failed: syntax, a
   * constraint, a write refused by the read-only transaction) — the caller's problem, not the service's.
   */
  classify(error: unknown): 'connection' | 'timeout' | 'statement';
  /** Counts of the engine's connection pool, for /metrics; undefined while not connected or without a pool. */
  poolStats?(): { size: number; idle: number; waiting: number; max: number } | undefined;
  /** The plan of a statement, never executing it (plain EXPLAIN in a read-only transaction). */
  explain(sql: string, params: readonly unknown[], options: QueryOptions): Promise<QueryOutcome>;
}
