/**
 * How a failure is classified decides who hears about it: `connection` counts against the service's
 * circuit breaker and says the database is unreachable; `timeout` and `statement` are the caller's
 * (an `isError` tool result). Errors are told apart by class and SQLSTATE, never by message text
 * (PostgreSQL translates its messages).
 */

/** The database could not be reached, or the connection broke under a statement. */
export class PostgresConnectionError extends Error {
  override readonly name = 'PostgresConnectionError';
  /** The SQLSTATE or Node error code underneath, when there is one. */
  readonly code: string | undefined;

  constructor(message: string, options: { cause?: unknown; code?: string | undefined } = {}) {
    super(message, { cause: options.cause });
    this.code = options.code;
  }
}

/** A statement the engine itself refused or stopped (not the server): the caller's problem. */
export class PostgresStatementError extends Error {
  override readonly name = 'PostgresStatementError';
}

/** A statement used up its time over several round trips (a long fetch): reported as a timeout. */
export class PostgresTimeoutError extends Error {
  override readonly name = 'PostgresTimeoutError';
}

/** SQLSTATEs that mean the session is gone or could not start (besides the whole class 08). */
const CONNECTION_STATES = new Set([
  '57P01', // admin_shutdown: the server is shutting down or the backend was terminated
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now: starting up, shutting down, in recovery
  '57P04', // database_dropped
  '53300', // too_many_connections
  '3D000', // invalid_catalog_name: the configured database does not exist
  '25P03', // idle_in_transaction_session_timeout: the server closed the session
]);

/** Node socket errors: the network, not the SQL. */
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'ECONNABORTED', 'ENOENT']);

/** The SQLSTATE of an error the server sent (pg's DatabaseError carries `severity` and `code`). */
export function sqlState(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, severity } = error as { code?: unknown; severity?: unknown };
  return typeof code === 'string' && typeof severity === 'string' ? code : undefined;
}

/** Classifies an error of the postgres engine (see the module comment). */
export function classifyPostgresError(error: unknown): 'connection' | 'timeout' | 'statement' {
  if (error instanceof PostgresConnectionError) return 'connection';
  if (error instanceof PostgresTimeoutError) return 'timeout';
  if (error instanceof PostgresStatementError) return 'statement';
  const state = sqlState(error);
  if (state !== undefined) {
    if (state === '57014') return 'timeout';
    if (state.startsWith('08') || state.startsWith('28') || CONNECTION_STATES.has(state)) return 'connection';
    return 'statement';
  }
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && SOCKET_CODES.has(code)) return 'connection';
  return 'statement';
}

/**
 * Rewrites a failure to open a connection for the person on call: what happened at which address,
 * and what to check. The original stays in `cause`.
 *
 * @example describeConnectFailure(econnrefused, { endpoint: '127.0.0.1:5433', host: '127.0.0.1', connectTimeoutMs: 10000 }, 12)
 *   // PostgresConnectionError: connection refused at 127.0.0.1:5433 — is PostgreSQL running and listening there?
 */
export function describeConnectFailure(
  error: unknown,
  where: { endpoint: string; host: string; connectTimeoutMs: number },
  elapsedMs: number,
): PostgresConnectionError {
  if (error instanceof PostgresConnectionError) return error;
  const state = sqlState(error);
  const code = state ?? ((error as { code?: unknown } | null)?.code as string | undefined);
  const original = error instanceof Error ? error.message : String(error);
  const message = (() => {
    switch (code) {
      case 'ECONNREFUSED':
        return `connection refused at ${where.endpoint} — is PostgreSQL running and listening there?`;
      case 'ENOENT':
        return `no PostgreSQL socket at ${where.endpoint} — is the server running, and is the host the socket directory?`;
      case 'ENOTFOUND':
      case 'EAI_AGAIN':
        return `host "${where.host}" not found (DNS lookup failed) — check host / the DSN`;
      case 'ETIMEDOUT':
      case 'EHOSTUNREACH':
      case 'ENETUNREACH':
        return `no route to ${where.endpoint} (${code}) — check the address and the network path`;
      case '28P01':
      case '28000':
        return `${original} at ${where.endpoint} — check user and password (or the secret they come from) and pg_hba.conf`;
      case '3D000':
        return `${original} at ${where.endpoint} — create it, or fix database: / the DSN`;
      case '53300':
        return `${original} at ${where.endpoint} — the server's max_connections is reached; lower pool.max_connections here or elsewhere`;
      case undefined:
        if (elapsedMs >= where.connectTimeoutMs) {
          return `no answer from ${where.endpoint} within ${where.connectTimeoutMs} ms (connect_timeout) — is the server overloaded or the address firewalled?`;
        }
        return `could not connect to ${where.endpoint}: ${original}`;
      default:
        if (/CERT|ERR_TLS|ERR_SSL/.test(code)) {
          return `${original} (${code}) at ${where.endpoint} — the server's TLS certificate is not trusted: give its CA with ssl: { ca: … } or sslrootcert=, or use sslmode=require to encrypt without verifying`;
        }
        return `${original} (${code}) at ${where.endpoint}`;
    }
  })();
  return new PostgresConnectionError(message, { cause: error, code });
}
