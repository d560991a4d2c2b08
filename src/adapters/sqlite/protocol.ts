/**
 * The messages between a sqlite service (sqlite-process.ts) and the child process that runs its
 * statements (worker.ts). Types only: the worker imports nothing at run time but `node:` built-ins.
 */
import type { QueryOutcome, TableDescription, TableSummary } from '../sql/engine.js';

/** A value SQLite stores: what a cell or a bound parameter can be. */
export type SqlValue = string | number | bigint | Uint8Array | null;

/**
 * Statements that build a database from nothing, run in one transaction by the `create` request:
 * `before` (tables), the rows of each table, then `after` (indexes, views, ANALYZE).
 */
export interface DatabaseScript {
  readonly before: readonly string[];
  readonly tables: readonly { readonly name: string; readonly columns: readonly string[]; readonly rows: readonly (readonly SqlValue[])[] }[];
  readonly after: readonly string[];
}

/** Sent once, first, to every child: which driver to load and which file to open, how. */
export interface WorkerInit {
  readonly type: 'init';
  /** file: URL of better-sqlite3's entry, resolved by the gateway (the worker may run from a temp dir). */
  readonly driver: string;
  /** Absolute path of the database file. */
  readonly file: string;
  /** true: no writer connection at all; the reader is read-only either way. */
  readonly readOnly: boolean;
  /** How long a statement waits for another process's lock (SQLite's busy timeout). */
  readonly busyTimeoutMs: number;
}

export type WorkerRequest =
  | { readonly op: 'create'; readonly script: DatabaseScript }
  | { readonly op: 'query'; readonly sql: string; readonly params: readonly unknown[]; readonly maxRows: number; readonly maxBytes: number }
  | { readonly op: 'explain'; readonly sql: string; readonly params: readonly unknown[]; readonly maxRows: number }
  | { readonly op: 'execute'; readonly sql: string; readonly params: readonly unknown[] }
  | { readonly op: 'tables' }
  | { readonly op: 'describe'; readonly table: string }
  | { readonly op: 'ping' };

/** What each request answers. */
export interface WorkerResults {
  create: null;
  query: QueryOutcome;
  explain: QueryOutcome;
  execute: { affectedRows: number; lastInsertId?: number | string };
  tables: TableSummary[];
  describe: TableDescription | null;
  ping: { sqliteVersion: string };
}

/** An error as it crosses the process boundary: SQLite's code (`SQLITE_READONLY`, …) survives. */
export interface WorkerErrorData {
  readonly name: string;
  readonly message: string;
  readonly code?: string;
}

export type WorkerReply =
  | { readonly id: number; readonly ok: true; readonly result: unknown }
  | { readonly id: number; readonly ok: false; readonly error: WorkerErrorData };
