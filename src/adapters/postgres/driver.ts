import { readFile } from 'node:fs/promises';
import type { ConnectionOptions } from 'node:tls';
import type * as Pg from 'pg';
import { GatewayError } from '../../sdk/index.js';
import type { PostgresConfig } from './config.js';
import type { WithStatementTimeout } from '../sql/config.js';
import type { ConnectionSettings } from './connection-settings.js';

/** The `pg` module as `import('pg')` gives it. */
export type PgModule = typeof Pg;

/** Types whose default JavaScript value loses information; they stay text (a date is not a local midnight). */
const AS_TEXT = [1082 /* date */, 1114 /* timestamp */, 1186 /* interval */];
/** Their arrays, and numeric[] (which pg would turn into lossy floats), stay arrays of text. */
const AS_TEXT_ARRAY = [1182, 1115, 1187, 1231];
const TEXT_ARRAY = 1009;
const TIMESTAMPTZ = 1184;

/**
 * A session left idle inside a transaction is ended by the server after this: the gateway never
 * pauses between its own statements, so only a stalled gateway process would reach it, and then
 * the server frees the locks and the connection by itself.
 */
const IDLE_IN_TRANSACTION_MS = 15_000;

/** The timeouts every session of a service starts with, in milliseconds. */
export interface SessionTimeouts {
  readonly statementMs: number;
  readonly lockMs: number;
  readonly idleInTransactionMs: number;
}

/** The statement timeout from config, the lock timeout (the statement timeout unless set), and the idle-in-transaction guard. */
export function sessionTimeouts(config: WithStatementTimeout<PostgresConfig>): SessionTimeouts {
  const statementMs = Math.max(1, Math.floor(config.timeout));
  return { statementMs, lockMs: Math.max(1, Math.floor(config.lock_timeout ?? statementMs)), idleInTransactionMs: IDLE_IN_TRANSACTION_MS };
}

/**
 * Builds the pool of one service from its settings: `max` connections, idle ones kept `idle_timeout`
 * (at least `idle_connections` of them), each opened within `connect_timeout`, sessions starting
 * with the application name and search path. Waiting for a free connection has no timeout of its
 * own: the gateway's call timeout and bulkhead bound it, and a busy pool is not a broken database.
 * The timeouts are sent at login, so they are the session's defaults: what ROLLBACK and `DISCARD ALL`
 * return to, whatever a statement set.
 */
export async function createPool(
  pg: PgModule,
  config: PostgresConfig,
  settings: ConnectionSettings,
  timeouts: SessionTimeouts,
  service: string,
): Promise<Pg.Pool> {
  const types = new pg.TypeOverrides();
  for (const oid of AS_TEXT) types.setTypeParser(oid, 'text', (value: string) => value);
  const textArray = pg.types.getTypeParser(TEXT_ARRAY as Parameters<typeof pg.types.getTypeParser>[0], 'text');
  for (const oid of AS_TEXT_ARRAY) types.setTypeParser(oid, 'text', textArray);
  // A timestamptz becomes a Date (ISO 8601 in UTC), except ±infinity, which no Date or JSON number holds.
  const timestamptz = pg.types.getTypeParser(TIMESTAMPTZ as Parameters<typeof pg.types.getTypeParser>[0], 'text');
  types.setTypeParser(TIMESTAMPTZ, 'text', (value: string) => (value === 'infinity' || value === '-infinity' ? value : timestamptz(value)));

  const connectTimeoutMs = settings.connectTimeoutMs;
  // pg-pool hands its own options to each client; only the client's connect gets the timeout.
  class TimedClient extends pg.Client {
    constructor(options: Pg.ClientConfig) {
      super({ ...options, connectionTimeoutMillis: connectTimeoutMs });
    }
  }
  return new pg.Pool({
    Client: TimedClient as unknown as Pg.PoolConfig['Client'],
    host: settings.host,
    port: settings.port,
    user: settings.user,
    password: settings.password,
    database: settings.database,
    ssl: await tlsOptions(settings, service),
    application_name: settings.applicationName,
    options: startupOptions(config),
    statement_timeout: timeouts.statementMs,
    lock_timeout: timeouts.lockMs,
    idle_in_transaction_session_timeout: timeouts.idleInTransactionMs,
    types,
    keepAlive: true,
    // Statements of one call are sent without waiting for each answer (BEGIN, DECLARE, FETCH in one round trip).
    pipeline: true,
    max: config.pool.max_connections,
    min: Math.min(config.pool.idle_connections, config.pool.max_connections),
    idleTimeoutMillis: config.pool.idle_timeout,
    connectionTimeoutMillis: 0,
    allowExitOnIdle: true,
  });
}

/**
 * Session settings sent at login, so `DISCARD ALL` / `RESET ALL` return to them. A comma-separated
 * search path is written as one value, spaces escaped as the server's option parser wants.
 */
function startupOptions(config: PostgresConfig): string | undefined {
  if (config.search_path === undefined) return undefined;
  const path = Array.isArray(config.search_path) ? config.search_path.join(',') : config.search_path;
  return `-c search_path=${path.replace(/\\/g, '\\\\').replace(/ /g, '\\ ')}`;
}

async function tlsOptions(settings: ConnectionSettings, service: string): Promise<ConnectionOptions | false> {
  const tls = settings.tls;
  if (tls === false) return false;
  const file = async (what: string, path: string | undefined) => {
    if (path === undefined) return undefined;
    try {
      return await readFile(path, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
      throw new GatewayError('CONFIG_INVALID', `cannot read the TLS ${what} file ${path} (${code}): check ssl: / the DSN and the file's permissions`, {
        service,
        cause: error,
      });
    }
  };
  return {
    rejectUnauthorized: tls.rejectUnauthorized,
    ...(tls.verifyHostname ? {} : { checkServerIdentity: () => undefined }),
    ca: await file('CA', tls.ca),
    cert: await file('certificate', tls.cert),
    key: await file('key', tls.key),
  };
}
