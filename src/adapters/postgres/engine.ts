import type { FieldDef, Pool, PoolClient } from 'pg';
import type { ServiceContext } from '../../sdk/index.js';
import type { ExecuteOutcome, QueryOptions, QueryOutcome, SqlEngine, TableDescription, TableSummary } from '../sql/engine.js';
import { sendCancelRequest } from './cancel-request.js';
import { describeRelation, findRelation, listTables } from './catalog.js';
import type { PostgresConfig } from './config.js';
import type { WithStatementTimeout } from '../sql/config.js';
import { type ConnectionSettings, connectionSettings } from './connection-settings.js';
import { createPool, type PgModule, type SessionTimeouts, sessionTimeouts } from './driver.js';
import { classifyPostgresError, describeConnectFailure, PostgresConnectionError, PostgresStatementError, sqlState } from './errors.js';
import { Lease } from './lease.js';
import { readRows } from './read-rows.js';
import { TypeNames } from './type-names.js';

/** How long cleanup (ROLLBACK, DISCARD ALL) may take before the connection is dropped instead. */
const CLEANUP_MS = 5_000;

type Access = 'read only' | 'read write';

/**
 * PostgreSQL behind the SQL engine contract. Every call runs in its own transaction on a pooled,
 * pipelined connection: reads in `BEGIN READ ONLY` (always rolled back), writes in `BEGIN … COMMIT`,
 * under a statement timeout the server enforces. Queries are opened as a server-side cursor
 * (`DECLARE … CURSOR FOR <sql>` through the extended protocol, which refuses a second statement)
 * and fetched up to max_rows + 1. A call's abort signal cancels the statement on the server.
 */
export class PostgresEngine implements SqlEngine {
  /** String literals as this dialect writes them, for named-query placeholder rewriting. */
  readonly quoting = { backslashEscapes: false, dollarQuotes: true };
  readonly address: string;
  readonly #ctx: ServiceContext<WithStatementTimeout<PostgresConfig>>;
  readonly #settings: ConnectionSettings;
  readonly #types = new TypeNames();
  readonly #timeouts: SessionTimeouts;
  #pool: Pool | undefined;

  constructor(ctx: ServiceContext<WithStatementTimeout<PostgresConfig>>) {
    this.#ctx = ctx;
    this.#settings = connectionSettings(ctx.config, ctx.name);
    this.#timeouts = sessionTimeouts(ctx.config);
    this.address = this.#settings.address;
  }

  placeholder(index: number): string {
    return `$${index + 1}`;
  }

  poolStats() {
    const pool = this.#pool;
    return pool && { size: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount, max: this.#ctx.config.pool.max_connections };
  }

  async connect(signal: AbortSignal): Promise<void> {
    const pg = await this.#ctx.importDriver<PgModule>('pg');
    const pool = await createPool(pg, this.#ctx.config, this.#settings, this.#timeouts, this.#ctx.name);
    pool.on('error', (error: Error & { code?: string }) => {
      // An idle connection died (server restart, network cut): the pool already dropped it and opens a new one on demand.
      this.#ctx.logger.warn({ err: error.message, code: error.code, address: this.address }, 'an idle database connection failed; the pool replaces it');
    });
    this.#pool = pool;
    try {
      await this.#openIdleConnections(signal);
    } catch (error) {
      this.#pool = undefined;
      await pool.end().catch(() => {});
      throw error;
    }
  }

  async close(): Promise<void> {
    const pool = this.#pool;
    this.#pool = undefined;
    await pool?.end();
  }

  async ping(signal: AbortSignal): Promise<void> {
    const lease = await this.#acquire(signal);
    try {
      await lease.run({ text: 'SELECT 1' });
    } finally {
      lease.release();
    }
  }

  query(sql: string, params: readonly unknown[], options: QueryOptions): Promise<QueryOutcome> {
    // Reads are read-only whatever `options.readOnly` says: writes go through execute.
    return this.#transaction('read only', options, async (lease, deadline) => {
      const { fields, rows, truncated } = await readRows(lease, sql, params, {
        maxRows: options.maxRows,
        maxBytes: this.#ctx.config.max_bytes,
        deadline,
      });
      return { columns: await this.#types.columns(lease, fields), rows, truncated };
    });
  }

  execute(sql: string, params: readonly unknown[], options: Omit<QueryOptions, 'readOnly' | 'maxRows'>): Promise<ExecuteOutcome> {
    return this.#transaction('read write', options, async (lease) => {
      const result = await lease.run({ text: sql, values: params, queryMode: 'extended' });
      return { affectedRows: result.rowCount ?? 0 };
    });
  }

  explain(sql: string, params: readonly unknown[], options: QueryOptions): Promise<QueryOutcome> {
    // Plain EXPLAIN plans without executing; the read-only transaction is the second guard.
    return this.#transaction('read only', options, async (lease) => {
      const result = await lease.run({ text: `EXPLAIN (FORMAT TEXT) ${sql}`, values: params, queryMode: 'extended', rowMode: 'array' });
      const rows = result.rows as unknown[][];
      return {
        columns: await this.#types.columns(lease, result.fields as FieldDef[]),
        rows: rows.slice(0, options.maxRows),
        truncated: rows.length > options.maxRows,
      };
    });
  }

  listTables(signal: AbortSignal): Promise<readonly TableSummary[]> {
    return this.#transaction('read only', { signal, timeoutMs: this.#ctx.config.timeout }, (lease) => listTables(lease));
  }

  async describeTable(name: string, signal: AbortSignal): Promise<TableDescription | undefined> {
    try {
      return await this.#transaction('read only', { signal, timeoutMs: this.#ctx.config.timeout }, async (lease) => {
        const oid = await findRelation(lease, name).catch((error: unknown) => {
          // A name PostgreSQL cannot parse (`a.b.c.d`, an unclosed quote) names no table.
          throw sqlState(error)?.startsWith('42') ? new UnparsableName() : error;
        });
        return oid === undefined ? undefined : describeRelation(lease, oid);
      });
    } catch (error) {
      if (error instanceof UnparsableName) return undefined;
      throw error;
    }
  }

  classify(error: unknown): 'connection' | 'timeout' | 'statement' {
    return classifyPostgresError(error);
  }

  /**
   * Runs `body` in a transaction on one pooled connection, under the session's statement, lock and
   * idle-in-transaction timeouts. Reads always roll back, after releasing session-level advisory
   * locks (which outlive a rollback). Writes commit, and then `DISCARD ALL` clears whatever session
   * state the statement left (temporary tables, SET ROLE, settings, prepared statements, LISTEN), so
   * the next call on this connection starts clean.
   */
  async #transaction<T>(
    access: Access,
    options: { readonly signal: AbortSignal; readonly timeoutMs: number },
    body: (lease: Lease, deadline: number) => Promise<T>,
  ): Promise<T> {
    const lease = await this.#acquire(options.signal);
    try {
      return await this.#inTransaction(lease, access, options, body);
    } finally {
      lease.release();
    }
  }

  async #inTransaction<T>(
    lease: Lease,
    access: Access,
    options: { readonly signal: AbortSignal; readonly timeoutMs: number },
    body: (lease: Lease, deadline: number) => Promise<T>,
  ): Promise<T> {
    const timeoutMs = Math.max(1, Math.floor(options.timeoutMs));
    const deadline = Date.now() + timeoutMs;
    const readOnly = access === 'read only';
    try {
      // The timeouts are the session's own (set at login, restored by ROLLBACK and DISCARD ALL); only a
      // call with another statement timeout sets its own, LOCAL to the transaction. READ ONLY becomes
      // irrevocable with the transaction's first snapshot, which the cursor takes before the caller's SQL runs.
      const local = timeoutMs === this.#timeouts.statementMs ? '' : `; SET LOCAL statement_timeout = ${timeoutMs}`;
      // Pipelined: the body's first statements go out behind BEGIN without waiting for its answer.
      const begun = lease.run({ text: `${readOnly ? 'BEGIN READ ONLY' : 'BEGIN'}${local}` });
      begun.catch(() => {}); // awaited below; this only keeps it from counting as unhandled meanwhile
      const result = await body(lease, deadline).catch(async (error: unknown) => {
        await begun; // when BEGIN failed (a broken connection), that is the failure to report
        throw error;
      });
      await begun;
      options.signal.throwIfAborted();
      // Session-level advisory locks are the one thing a SELECT can take that a rollback does not undo.
      await lease.run({ text: readOnly ? 'SELECT pg_advisory_unlock_all(); ROLLBACK' : 'COMMIT' });
      if (!readOnly) await lease.run({ text: 'DISCARD ALL' });
      return result;
    } catch (error) {
      await this.#abandon(lease, readOnly);
      if (options.signal.aborted) throw options.signal.reason;
      // query_canceled well before the deadline is not the statement timeout: someone ran pg_cancel_backend.
      if (sqlState(error) === '57014' && Date.now() < deadline - 100) {
        throw new PostgresStatementError(`${(error as Error).message} — cancelled on the server (pg_cancel_backend or an administrator), not by the timeout`);
      }
      throw error;
    }
  }

  /** Rolls back after a failure, unless the connection is in doubt (then release destroys it). Never throws. */
  async #abandon(lease: Lease, readOnly: boolean): Promise<void> {
    if (lease.doubtful) return;
    const signal = AbortSignal.timeout(CLEANUP_MS);
    try {
      await lease.run({ text: readOnly ? 'ROLLBACK; SELECT pg_advisory_unlock_all()' : 'ROLLBACK' }, signal);
      if (!readOnly) await lease.run({ text: 'DISCARD ALL' }, signal);
    } catch (error) {
      this.#ctx.logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'rollback failed; dropping the connection');
      lease.release(true);
    }
  }

  /** A pooled connection for one call. Waiting for one stops when the call is aborted. */
  async #acquire(signal: AbortSignal): Promise<Lease> {
    signal.throwIfAborted();
    const pool = this.#pool;
    if (!pool) throw new PostgresConnectionError(`not connected to ${this.address} (the service is not started)`);
    const started = Date.now();
    const pending = pool.connect();
    let client: PoolClient;
    try {
      client = await untilAborted(pending, signal);
    } catch (error) {
      if (signal.aborted) {
        pending.then((late) => late.release(), () => {});
        throw signal.reason;
      }
      throw describeConnectFailure(error, this.#settings, Date.now() - started);
    }
    const cancel = (processId: number, secretKey: number) => sendCancelRequest(this.#settings, processId, secretKey);
    return new Lease(client, signal, cancel, this.#ctx.logger);
  }

  /**
   * Proves the database answers, and opens `idle_connections` connections at once so the first
   * calls do not pay for logins (the pool keeps that many idle). One working connection is enough
   * to start; the others are retried on demand.
   */
  async #openIdleConnections(signal: AbortSignal): Promise<void> {
    const count = Math.max(1, Math.min(this.#ctx.config.pool.idle_connections, this.#ctx.config.pool.max_connections));
    const outcomes = await Promise.allSettled(Array.from({ length: count }, () => this.#acquire(signal)));
    const leases = outcomes.flatMap((outcome) => (outcome.status === 'fulfilled' ? [outcome.value] : []));
    try {
      const failed = outcomes.find((outcome) => outcome.status === 'rejected');
      if (leases.length === 0) throw failed?.reason;
      if (failed) {
        const reason = failed.reason instanceof Error ? failed.reason.message : String(failed.reason);
        this.#ctx.logger.warn({ err: reason }, `opened ${leases.length} of ${count} idle connections (pool.idle_connections); the rest open on demand`);
      }
      await this.#inTransaction(leases[0]!, 'read only', { signal, timeoutMs: this.#ctx.config.timeout }, (lease) => this.#types.preload(lease));
    } finally {
      for (const lease of leases) lease.release();
    }
  }
}

/** Thrown out of the transaction (which then rolls back) when a table name does not parse. */
class UnparsableName extends Error {}

/** `promise`, or a rejection with the signal's reason as soon as it is aborted. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
