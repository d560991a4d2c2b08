// How the sqlite engine classifies failures: the file is unusable → connection (counts against the
// breaker); our own statement timeout → timeout; anything else is the statement's fault.
import { describe, expect, it } from 'vitest';
import { SqliteError, SqliteProcessExited, SqliteTimeoutError, classifySqliteError } from '../../../src/adapters/sqlite/errors.js';

const sqlite = (code: string | undefined, message = 'x') => new SqliteError({ name: 'SqliteError', message, ...(code ? { code } : {}) });

describe('sqlite: error classification', () => {
  it('a locked, unreadable, corrupt or foreign file — or a dead worker — is a connection failure', () => {
    for (const code of ['SQLITE_BUSY', 'SQLITE_BUSY_SNAPSHOT', 'SQLITE_IOERR', 'SQLITE_IOERR_SHORT_READ', 'SQLITE_CANTOPEN', 'SQLITE_CANTOPEN_ISDIR', 'SQLITE_CORRUPT', 'SQLITE_CORRUPT_INDEX', 'SQLITE_NOTADB']) {
      expect(classifySqliteError(sqlite(code)), code).toBe('connection');
    }
    expect(classifySqliteError(new SqliteProcessExited('the SQLite worker process died'))).toBe('connection');
  });

  it('the statement timeout is a timeout', () => {
    expect(classifySqliteError(new SqliteTimeoutError(500))).toBe('timeout');
  });

  it('everything else is the statement: syntax, read-only refusals, constraints, our own refusals, no code at all', () => {
    for (const code of ['SQLITE_ERROR', 'SQLITE_READONLY', 'SQLITE_CONSTRAINT_UNIQUE', 'SQLITE_CONSTRAINT_FOREIGNKEY', 'SQLITE_MISMATCH', 'SQLITE_RANGE', 'SQLITE_BUSYNESS', 'MCPEG_SQLITE_MULTIPLE_STATEMENTS', 'MCPEG_SQLITE_STATEMENT_CANTOPEN', undefined]) {
      expect(classifySqliteError(sqlite(code)), String(code)).toBe('statement');
    }
    expect(classifySqliteError(new RangeError('Too few parameter values were provided'))).toBe('statement');
    expect(classifySqliteError(undefined)).toBe('statement');
  });
});
