import type { EventEmitter } from 'node:events';
import type { PoolConnection } from 'mysql2/promise';
import type { QueryOutcome, SqlColumn } from '../sql/engine.js';
import { columnTypeName, type FieldMetadata } from './column-types.js';
import type { Interrupt } from './transaction.js';

/**
 * Rows past `max_rows` that are read and dropped before the statement is killed instead. The server
 * stops a top-level SELECT by itself (`sql_select_limit`), so normally one extra row arrives; a
 * result that ignores that limit (a procedure's SELECT, an explicit LIMIT) is stopped on the server.
 */
const OVERFLOW_ALLOWANCE = 100;

/** The driver's callback-style connection, as far as streaming needs it. */
interface CoreConnection extends EventEmitter {
  query(options: { sql: string; rowsAsArray: boolean }): EventEmitter;
  execute(options: { sql: string; rowsAsArray: boolean }, values: unknown[]): EventEmitter;
}

/**
 * Runs one statement and streams the rows of its first result set, keeping at most `maxRows` and
 * never loading the rest. With no `params` it goes as text (any statement); with `params` as a
 * server-side prepared statement, the values bound by the server, never put into the SQL.
 */
export function streamFirstResult(
  connection: PoolConnection,
  sql: string,
  params: readonly unknown[],
  maxRows: number,
  interrupt: Interrupt,
): Promise<QueryOutcome> {
  const core = connection.connection as unknown as CoreConnection;
  return new Promise((resolve, reject) => {
    let columns: SqlColumn[] | undefined;
    let resultIndex: number | undefined;
    const rows: unknown[][] = [];
    let dropped = 0;
    let settled = false;
    const finish = (error?: unknown) => {
      if (settled) return;
      settled = true;
      core.removeListener('error', finish);
      // Once enough rows are in, the statement's end (or its kill) changes nothing about the answer.
      if (error !== undefined && dropped === 0) reject(error);
      else resolve({ columns: columns ?? [], rows, truncated: dropped > 0 });
    };
    // The driver reports a connection lost mid-stream on the connection, not on the statement.
    core.once('error', finish);
    const options = { sql, rowsAsArray: true };
    const statement = params.length === 0 ? core.query(options) : core.execute(options, [...params]);
    statement.on('fields', (fields: FieldMetadata[] | undefined) => {
      if (columns === undefined && fields) columns = fields.map((field) => ({ name: field.name, type: columnTypeName(field) }));
    });
    statement.on('result', (row: unknown, index: number | undefined) => {
      if (!Array.isArray(row) || settled) return;
      resultIndex ??= index ?? 0;
      if ((index ?? 0) !== resultIndex) return;
      if (rows.length < maxRows) {
        rows.push(row);
        return;
      }
      dropped++;
      if (dropped > OVERFLOW_ALLOWANCE) {
        interrupt.stopOnServer();
        finish();
      }
    });
    statement.on('error', finish);
    statement.on('end', () => finish());
  });
}
