import type { Pool, PoolConnection, PoolOptions } from 'mysql2/promise';
import type { Logger } from '../../sdk/index.js';
import { ConnectionFailure } from './errors.js';

type Driver = typeof import('mysql2/promise');

/** How long a side connection may take to deliver `KILL QUERY` before the gateway gives up on it. */
const KILL_TIMEOUT_MS = 5000;

/**
 * One driver pool of a service (the main account, or the `read_only_user` account), plus the one
 * thing a pool cannot do for itself: stop a statement on the server, from a side connection of the
 * same account (`KILL QUERY` needs no privilege for one's own threads).
 */
export class ConnectionPool {
  readonly #driver: Driver;
  readonly #options: PoolOptions;
  readonly #pool: Pool;
  readonly #logger: Logger;

  constructor(driver: Driver, options: PoolOptions, pool: { max: number; idle: number; idleTimeoutMs: number }, logger: Logger) {
    this.#driver = driver;
    this.#options = options;
    this.#logger = logger;
    this.#pool = driver.createPool({
      ...options,
      connectionLimit: pool.max,
      maxIdle: pool.idle,
      idleTimeout: pool.idleTimeoutMs,
      waitForConnections: true,
      queueLimit: 0,
      // COM_RESET_CONNECTION on release: temporary tables, user variables, GET_LOCK locks, HANDLERs,
      // prepared statements and session variables set by a call never reach the next call.
      resetOnRelease: true,
    });
    // A connection that dies while idle in the pool must never crash the gateway: the pool drops it.
    this.#pool.on('connection', (connection) => {
      (connection as unknown as NodeJS.EventEmitter).on('error', (error: Error & { code?: string }) =>
        this.#logger.debug({ code: error.code, err: error.message }, 'a pooled connection failed; the pool replaces it'),
      );
    });
  }

  /**
   * A connection from the pool. Failures to connect become {@link ConnectionFailure}; an abort while
   * waiting for a free connection rejects at once (the connection, when it comes, goes back).
   */
  acquire(signal: AbortSignal): Promise<PoolConnection> {
    signal.throwIfAborted();
    return new Promise((resolve, reject) => {
      const onAbort = () => reject(signal.reason);
      signal.addEventListener('abort', onAbort, { once: true });
      this.#pool.getConnection().then(
        (connection) => {
          signal.removeEventListener('abort', onAbort);
          if (signal.aborted) connection.release();
          else resolve(connection);
        },
        (error: unknown) => {
          signal.removeEventListener('abort', onAbort);
          reject(connectionFailure(error));
        },
      );
    });
  }

  /** Stops whatever statement thread `threadId` runs, on the server, from a side connection. */
  async killQuery(threadId: number): Promise<void> {
    const connection = await this.#driver.createConnection({ ...this.#options, connectTimeout: Math.min(this.#options.connectTimeout ?? KILL_TIMEOUT_MS, KILL_TIMEOUT_MS) });
    connection.on('error', () => {});
    try {
      await connection.query(`KILL QUERY ${Math.trunc(threadId)}`);
    } finally {
      connection.destroy();
    }
  }

  close(): Promise<void> {
    return this.#pool.end();
  }
}

function connectionFailure(error: unknown): ConnectionFailure {
  const detail = error instanceof Error ? error.message || (error as { code?: string }).code || error.name : String(error);
  return Object.assign(new ConnectionFailure(detail, { cause: error }), { code: (error as { code?: unknown })?.code });
}
