import type { FieldDef, QueryResult } from 'pg';
import { PostgresStatementError, PostgresTimeoutError, sqlState } from './errors.js';
import type { Lease, Statement } from './lease.js';

const CURSOR = 'mcpeg_rows';
const DECLARE = `DECLARE ${CURSOR} NO SCROLL CURSOR FOR `;
/** The first fetch is small so a point query moves little; later ones grow. */
const FIRST_FETCH = 200;
const FETCH_GROWTH = 4;

export interface RowsRead {
  readonly fields: FieldDef[];
  readonly rows: unknown[][];
  readonly truncated: boolean;
}

/**
 * Opens `sql` as a server-side cursor inside the caller's (read-only) transaction and fetches until
 * `maxRows + 1` rows (one more tells that there are more), about `maxBytes` of values, or the end.
 * The database never produces more than was fetched, however large the table. `DECLARE` accepts
 * only a query (SELECT, VALUES, TABLE, WITH … SELECT), and through the extended protocol only one:
 * `select 1; delete …` is refused by the server before anything runs.
 *
 * The statement timeout bounds each round trip; across several fetches the remaining time is set
 * again before each, so the whole read stays within the timeout.
 */
export async function readRows(
  lease: Lease,
  sql: string,
  params: readonly unknown[],
  limits: { readonly maxRows: number; readonly maxBytes: number; readonly deadline: number },
): Promise<RowsRead> {
  const wanted = limits.maxRows + 1;
  const rows: unknown[][] = [];
  let fields: FieldDef[] = [];
  let bytes = 0;
  let batch = Math.min(wanted, FIRST_FETCH);
  // DECLARE and the first FETCH go out together (pipelined); a refused DECLARE is the error to report.
  let fetched = pipelined(lease.run({ text: DECLARE + sql, values: params, queryMode: 'extended' }), lease.run(fetchRows(batch)), (error) => explainRefusal(error, sql) ?? error);
  for (;;) {
    const result = await fetched;
    fields = result.fields;
    for (const row of result.rows as unknown[][]) {
      rows.push(row);
      bytes += approximateBytes(row);
    }
    const exhausted = result.rows.length < batch;
    if (exhausted || rows.length >= wanted) break;
    if (bytes > limits.maxBytes) return { fields, rows, truncated: true };
    const remaining = limits.deadline - Date.now();
    if (remaining <= 0) throw new PostgresTimeoutError('the query ran past the statement timeout while its rows were fetched');
    batch = Math.min(wanted - rows.length, batch * FETCH_GROWTH);
    // Each FETCH is a statement of its own: the time left is its timeout, so the whole read stays within one.
    fetched = pipelined(lease.run({ text: `SET LOCAL statement_timeout = ${Math.ceil(remaining)}` }), lease.run(fetchRows(batch)), (error) => error);
  }
  return { fields, rows: rows.slice(0, limits.maxRows), truncated: rows.length > limits.maxRows };
}

function fetchRows(count: number): Statement {
  return { text: `FETCH FORWARD ${count} FROM ${CURSOR}`, rowMode: 'array' };
}

/** The second of two pipelined statements; when the first fails, its error (mapped) wins over the second's. */
async function pipelined(first: Promise<unknown>, second: Promise<QueryResult>, map: (error: unknown) => unknown): Promise<QueryResult> {
  second.catch(() => {}); // awaited below; this only keeps it from counting as unhandled meanwhile
  try {
    await first;
  } catch (error) {
    await second.catch(() => {});
    throw map(error);
  }
  return second;
}

/**
 * A syntax error at the very first word of the caller's SQL means it is no query (SHOW, INSERT,
 * COPY, EXPLAIN, …): say what the tool runs instead of quoting the cursor the caller never wrote.
 */
function explainRefusal(error: unknown, sql: string): PostgresStatementError | undefined {
  if (sqlState(error) !== '42601') return undefined;
  const message = (error as Error).message;
  const position = Number((error as { position?: string }).position);
  if (!Number.isFinite(position)) {
    // The only syntax error without a position: more than one statement in one Parse.
    return new PostgresStatementError(`${message} — send one statement per call`);
  }
  const start = firstToken(sql);
  if (position - 1 !== DECLARE.length + start) return undefined;
  const word = /^[A-Za-z_]+/.exec(sql.slice(start))?.[0]?.toUpperCase() ?? sql.slice(start, start + 10);
  return new PostgresStatementError(
    `query runs one read-only SELECT, VALUES, TABLE or WITH … SELECT statement; ${word} is not one (${message}). ` +
      'Use explain for plans, and execute (on a service with read_only: false) for writes and DDL',
  );
}

/** Offset of the first character that is neither whitespace nor inside a comment (comments nest in PostgreSQL). */
function firstToken(sql: string): number {
  let i = 0;
  while (i < sql.length) {
    if (/\s/.test(sql[i]!)) i++;
    else if (sql.startsWith('--', i)) {
      const end = sql.indexOf('\n', i);
      i = end < 0 ? sql.length : end + 1;
    } else if (sql.startsWith('/*', i)) {
      let depth = 1;
      i += 2;
      while (i < sql.length && depth > 0) {
        const step = sql.startsWith('/*', i) ? 1 : sql.startsWith('*/', i) ? -1 : 0;
        depth += step;
        i += step === 0 ? 1 : 2;
      }
    } else break;
  }
  return i;
}

/** A cheap upper-ish estimate of a row's JSON size, to stop fetching once max_bytes is surely passed. */
function approximateBytes(row: readonly unknown[]): number {
  let bytes = 2;
  for (const value of row) {
    if (value === null || value === undefined) bytes += 5;
    else if (typeof value === 'string') bytes += value.length + 3;
    else if (Buffer.isBuffer(value)) bytes += Math.ceil(value.length / 3) * 4 + 3;
    else if (typeof value === 'object') bytes += JSON.stringify(value)?.length ?? 4;
    else bytes += 12;
  }
  return bytes;
}
