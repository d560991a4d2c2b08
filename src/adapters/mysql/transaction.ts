import type { PoolConnection } from 'mysql2/promise';
import type { Logger } from '../../sdk/index.js';
import { isFatal, StatementTimeout } from './errors.js';
import type { ConnectionPool } from './pool.js';

/** MariaDB and MySQL name their session limits differently. */
export type ServerFlavor = 'mariadb' | 'mysql';

export interface TransactionOptions {
  readonly flavor: ServerFlavor;
  /** A read-only transaction in a read-only session: the server refuses every write. */
  readonly readOnly: boolean;
  /** Statement timeout, given to the server as `max_statement_time`. */
  readonly timeoutMs: number;
  /** Server-side cap on the rows of a top-level SELECT/SHOW (`sql_select_limit`). */
  readonly selectLimit?: number;
  readonly signal: AbortSignal;
}

/** What a call's work may do beyond running statements: stop the running one on the server. */
export interface Interrupt {
  /** Kill the running statement on the server and throw the connection away afterwards. */
  stopOnServer(): void;
}

/**
 * If the server has not ended a statement this long after `max_statement_time` should have, the
 * gateway kills it itself: the caller's SQL may have changed its own `max_statement_time`
 * (`SET STATEMENT max_statement_time=0 FOR …`), and statements inside procedures ignore it.
 */
const BACKSTOP_GRACE_MS = 1000;

/**
 * Runs `work` on one pooled connection inside a transaction the server enforces:
 *
 * 1. `SET SESSION max_statement_time = <timeout>, SESSION tx_read_only = 1, SESSION sql_select_limit = <n>`
 *    (see {@link sessionSettings}) — the session, not only the transaction, is read-only, so a statement that ends the transaction
 *    (DDL's implicit commit, a procedure that COMMITs) still cannot write afterwards;
 * 2. `START TRANSACTION READ ONLY` (or `START TRANSACTION` for execute);
 * 3. `work`; then `ROLLBACK` (reads) or `COMMIT` (writes; `ROLLBACK` when work failed);
 * 4. release, which resets the connection (COM_RESET_CONNECTION), or destroy it when it was interrupted.
 *
 * Abort (client cancellation, the call's timeout) kills the statement on the server with `KILL QUERY`
 * from a side connection before the call settles.
 */
export async function inTransaction<T>(
  pool: ConnectionPool,
  options: TransactionOptions,
  logger: Logger,
  work: (connection: PoolConnection, interrupt: Interrupt) => Promise<T>,
): Promise<T> {
  const connection = await prepared(pool, options);
  const threadId = connection.connection.threadId;
  let doomed = false;
  let timedOut = false;
  let killing: Promise<void> | undefined;
  let rejectInterrupted: (reason: unknown) => void = () => {};
  const interrupted = new Promise<never>((_, reject) => (rejectInterrupted = reject));
  interrupted.catch(() => {});
  const stopOnServer = () => {
    doomed = true;
    killing ??= pool.killQuery(threadId).catch((error: unknown) => {
      // max_statement_time still ends it on the server; the connection is destroyed either way.
      logger.warn({ threadId, err: (error as Error).message }, 'could not kill a statement on the server');
    });
    return killing;
  };
  const onAbort = () => {
    void stopOnServer().then(() => rejectInterrupted(options.signal.reason));
  };
  options.signal.addEventListener('abort', onAbort, { once: true });
  const backstop = setTimeout(() => {
    timedOut = true;
    void stopOnServer().then(() => rejectInterrupted(new StatementTimeout(`the statement ran past ${options.timeoutMs} ms and was killed on the server`)));
  }, options.timeoutMs + BACKSTOP_GRACE_MS);
  try {
    if (options.signal.aborted) throw options.signal.reason;
    await connection.query(options.readOnly ? 'START TRANSACTION READ ONLY' : 'START TRANSACTION');
    const running = work(connection, { stopOnServer: () => void stopOnServer() });
    running.catch(() => {});
    let result: T;
    try {
      result = await Promise.race([running, interrupted]);
    } catch (error) {
      if (!doomed && !isFatal(error)) {
        await connection.query('ROLLBACK').catch(() => {
          doomed = true;
        });
      }
      throw error;
    }
    if (options.signal.aborted || timedOut) await interrupted;
    // A read-only call that stopped a result stream on the server has nothing to end: the destroyed
    // connection takes its transaction with it.
    if (!doomed) await connection.query(options.readOnly ? 'ROLLBACK' : 'COMMIT');
    return result;
  } catch (error) {
    if (isFatal(error)) doomed = true;
    // Whichever arrived first — the server's "interrupted" or the kill's confirmation — the call
    // fails for the reason it was interrupted.
    if (timedOut) throw new StatementTimeout(`the statement ran past ${options.timeoutMs} ms and was killed on the server`, { cause: error });
    if (options.signal.aborted) throw options.signal.reason;
    throw error;
  } finally {
    clearTimeout(backstop);
    options.signal.removeEventListener('abort', onAbort);
    if (killing) await killing;
    if (doomed) connection.destroy();
    else connection.release();
  }
}

/**
 * A connection with the call's session settings. A pooled connection that died while idle (the
 * server restarted) fails here, before any of the caller's SQL ran: it is dropped and one fresh
 * connection is tried.
 */
async function prepared(pool: ConnectionPool, options: TransactionOptions): Promise<PoolConnection> {
  for (let attempt = 1; ; attempt++) {
    const connection = await pool.acquire(options.signal);
    try {
      await connection.query(sessionSettings(options));
      return connection;
    } catch (error) {
      connection.destroy();
      if (attempt > 1 || !isFatal(error)) throw error;
    }
  }
}

/**
 * One `SET` for the whole session of a call; the values are the gateway's own numbers, never input.
 * MariaDB: `max_statement_time` (seconds, every statement) and `tx_read_only`; MySQL 5.7.20+/8:
 * `max_execution_time` (milliseconds, SELECT only — the gateway's backstop covers the rest) and
 * `transaction_read_only`.
 *
 * @example sessionSettings({ flavor: 'mariadb', readOnly: true, timeoutMs: 1500 })
 *   // 'SET SESSION max_statement_time = 1.500, SESSION tx_read_only = 1'
 */
export function sessionSettings(options: Pick<TransactionOptions, 'flavor' | 'readOnly' | 'timeoutMs' | 'selectLimit'>): string {
  const ms = Math.max(Math.trunc(options.timeoutMs), 1);
  const mariadb = options.flavor === 'mariadb';
  const settings = [mariadb ? `SESSION max_statement_time = ${(ms / 1000).toFixed(3)}` : `SESSION max_execution_time = ${ms}`];
  if (options.readOnly) settings.push(mariadb ? 'SESSION tx_read_only = 1' : 'SESSION transaction_read_only = 1');
  if (options.selectLimit !== undefined) settings.push(`SESSION sql_select_limit = ${Math.trunc(options.selectLimit)}`);
  return `SET ${settings.join(', ')}`;
}
