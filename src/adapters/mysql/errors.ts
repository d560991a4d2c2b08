/**
 * How a failure of the MySQL driver counts: against the service (`connection`: it trips the breaker),
 * as the configured statement timeout (`timeout`), or against the caller's SQL (`statement`).
 * Decided by error codes and by where the error happened — never by the wording of a message.
 */

/** A new connection could not be made (refused, unreachable, bad credentials, pool closed). */
export class ConnectionFailure extends Error {
  override readonly name = 'ConnectionFailure';
}

/** The statement ran past `timeout` and the gateway killed it on the server (max_statement_time was not enough). */
export class StatementTimeout extends Error {
  override readonly name = 'StatementTimeout';
}

/** ER_STATEMENT_TIMEOUT (MariaDB): max_statement_time interrupted the statement. */
const ER_STATEMENT_TIMEOUT = 1969;
/** ER_QUERY_TIMEOUT (MySQL 5.7+): max_execution_time interrupted the statement. */
const ER_QUERY_TIMEOUT = 3024;

/** Errors that mean the connection or the server is gone, whatever statement was running. */
const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENOENT', // a socket path that does not exist
  'PROTOCOL_CONNECTION_LOST',
  'PROTOCOL_SEQUENCE_TIMEOUT',
  'ER_CON_COUNT_ERROR',
  'ER_SERVER_SHUTDOWN',
  'ER_CONNECTION_KILLED',
  'ER_NET_READ_ERROR',
  'ER_NET_WRITE_INTERRUPTED',
]);
const CONNECTION_ERRNOS = new Set([1040, 1053, 1927, 2002, 2003, 2006, 2013]);

interface DriverError {
  code?: unknown;
  errno?: unknown;
  fatal?: unknown;
}

/**
 * Classifies an error thrown by the engine.
 *
 * @example classifyMysqlError(Object.assign(new Error('x'), { errno: 1969 })) // 'timeout'
 */
export function classifyMysqlError(error: unknown): 'connection' | 'timeout' | 'statement' {
  if (error instanceof StatementTimeout) return 'timeout';
  if (error instanceof ConnectionFailure) return 'connection';
  if (error === null || typeof error !== 'object') return 'statement';
  const { code, errno, fatal } = error as DriverError;
  if (errno === ER_STATEMENT_TIMEOUT || errno === ER_QUERY_TIMEOUT) return 'timeout';
  if (fatal === true) return 'connection';
  if (typeof code === 'string' && CONNECTION_CODES.has(code)) return 'connection';
  if (typeof errno === 'number' && CONNECTION_ERRNOS.has(errno)) return 'connection';
  // Anything else — syntax, privileges (even ER_ACCESS_DENIED_ERROR from a statement such as LOAD DATA),
  // ER_CANT_EXECUTE_IN_READ_ONLY_TRANSACTION, constraints — is the statement's.
  return 'statement';
}

/** True when the connection that saw this error cannot be used again. */
export function isFatal(error: unknown): boolean {
  return error instanceof ConnectionFailure || classifyMysqlError(error) === 'connection';
}
