import type { WorkerErrorData } from './protocol.js';

/** An error raised in the sqlite child process, rebuilt on this side with SQLite's own `code`. */
export class SqliteError extends Error {
  readonly code: string | undefined;

  constructor(data: WorkerErrorData) {
    super(data.message);
    this.name = data.name;
    this.code = data.code;
  }
}

/** The statement ran past `timeout`; its process was killed, which is what stopped it. */
export class SqliteTimeoutError extends Error {
  override readonly name = 'SqliteTimeoutError';
  readonly code = 'MCPEG_SQLITE_TIMEOUT';

  constructor(readonly timeoutMs: number) {
    super(`the statement ran past ${timeoutMs} ms and was stopped`);
  }
}

/** The child process died under a statement (crash, out of memory, killed from outside). */
export class SqliteProcessExited extends Error {
  override readonly name = 'SqliteProcessExited';
  readonly code = 'MCPEG_SQLITE_PROCESS_EXITED';
}

/** SQLite result codes (and their extended forms, `SQLITE_IOERR_READ` …) that mean the file itself is the trouble. */
const CONNECTION_CODES = ['SQLITE_BUSY', 'SQLITE_IOERR', 'SQLITE_CANTOPEN', 'SQLITE_CORRUPT', 'SQLITE_NOTADB'];

/**
 * The SqlEngine's `classify`: the file is unusable (locked, unreadable, not a database, the process
 * died) → connection; our own timeout → timeout; anything else — SQLITE_ERROR, SQLITE_READONLY,
 * SQLITE_CONSTRAINT, more than one statement — is the statement's fault.
 */
export function classifySqliteError(error: unknown): 'connection' | 'timeout' | 'statement' {
  if (error instanceof SqliteTimeoutError) return 'timeout';
  if (error instanceof SqliteProcessExited) return 'connection';
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && CONNECTION_CODES.some((prefix) => code === prefix || code.startsWith(`${prefix}_`))) return 'connection';
  return 'statement';
}

/** Codes the driver's loading fails with (not installed; a native binary built for another Node). */
export const DRIVER_LOAD_CODES: ReadonlySet<string> = new Set(['ERR_MODULE_NOT_FOUND', 'MODULE_NOT_FOUND', 'ERR_DLOPEN_FAILED']);
