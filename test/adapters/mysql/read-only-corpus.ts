// Attempts to write through the `query` tool of a MySQL/MariaDB service. Each is a list of calls on the
// same pooled connection (the services under test have one): every call but the last may succeed (they
// try to leave state behind for the next); the last must be refused. `harmless` attempts may succeed but
// must leave nothing behind. `admin` marks the attempts that are safe to aim at a service whose only
// account is root: they are refused by the read-only transaction alone, and would do no lasting harm if not.

export interface Attempt {
  readonly name: string;
  readonly steps: readonly string[];
  readonly outcome: 'refused' | 'harmless';
  readonly admin: boolean;
}

export interface CorpusContext {
  /** A path in a directory the server could write to: INTO OUTFILE/DUMPFILE must not create it. */
  readonly outfile: string;
  /** The thread id of a connection the test keeps open: KILL must not end it. */
  readonly victimThread: number;
  /** The least-privilege account of the service, for GRANT attempts. */
  readonly account: string;
  /** A name for locks and objects the attempts try to create. */
  readonly lock: string;
}

const refused = (name: string, admin: boolean, ...steps: string[]): Attempt => ({ name, steps, outcome: 'refused', admin });

export function readOnlyCorpus(c: CorpusContext): Attempt[] {
  return [
    // Plain data changes.
    refused('INSERT', true, "INSERT INTO accounts VALUES (9, 'mallory', 1000000)"),
    refused('UPDATE', true, 'UPDATE accounts SET balance = 0'),
    refused('DELETE', true, 'DELETE FROM accounts'),
    refused('REPLACE', true, "REPLACE INTO accounts VALUES (1, 'mallory', 0)"),
    refused('INSERT … ON DUPLICATE KEY UPDATE', true, "INSERT INTO accounts VALUES (1, 'x', 0) ON DUPLICATE KEY UPDATE balance = 0"),
    refused('UPDATE … ORDER BY … LIMIT', true, 'UPDATE accounts SET balance = 0 ORDER BY id LIMIT 1'),
    refused('INSERT … SELECT', true, 'INSERT INTO accounts SELECT id + 10, owner, balance FROM accounts'),
    refused('DELETE … RETURNING', true, 'DELETE FROM accounts RETURNING *'),
    refused('SELECT … FOR UPDATE (a write lock)', true, 'SELECT * FROM accounts FOR UPDATE'),
    // Comment and case games.
    refused('case games: dElEtE', true, 'dElEtE fRoM accounts'),
    refused('executable comment /*! DELETE */', true, '/*! DELETE FROM accounts */'),
    refused('versioned executable comment /*!100000 … */', true, '/*!100000 DELETE FROM accounts */'),
    refused('a CTE in front of a DELETE', true, 'WITH x AS (SELECT 1) DELETE FROM accounts'),
    // More than one statement, and ending the read-only transaction.
    refused('multiple statements', true, 'SELECT 1; DELETE FROM accounts'),
    refused('COMMIT; DELETE', true, 'COMMIT; DELETE FROM accounts'),
    refused('ROLLBACK; DELETE', true, 'ROLLBACK; DELETE FROM accounts'),
    refused('SET autocommit=1; DELETE', true, 'SET autocommit = 1; DELETE FROM accounts'),
    refused('COMMIT, then DELETE in the next call', true, 'COMMIT', 'DELETE FROM accounts'),
    refused('SET autocommit=1, then DELETE in the next call', true, 'SET autocommit = 1', 'DELETE FROM accounts'),
    refused('START TRANSACTION READ WRITE, then DELETE in the next call', true, 'START TRANSACTION READ WRITE', 'DELETE FROM accounts'),
    refused('SET SESSION TRANSACTION READ WRITE, then DELETE', true, 'SET SESSION TRANSACTION READ WRITE', 'DELETE FROM accounts'),
    refused('SET SESSION tx_read_only = 0, then DELETE', true, 'SET SESSION tx_read_only = 0', 'DELETE FROM accounts'),
    refused('SET STATEMENT tx_read_only = 0 FOR DELETE', true, 'SET STATEMENT tx_read_only = 0 FOR DELETE FROM accounts'),
    refused('PREPARE a DELETE', true, "PREPARE st FROM 'DELETE FROM accounts'"),
    refused('EXECUTE IMMEDIATE a DELETE', true, "EXECUTE IMMEDIATE 'DELETE FROM accounts'"),
    // Files.
    refused('LOAD DATA INFILE', true, "LOAD DATA INFILE '/etc/hostname' INTO TABLE accounts"),
    refused('LOAD DATA LOCAL INFILE', true, "LOAD DATA LOCAL INFILE '/etc/hostname' INTO TABLE accounts"),
    refused('LOAD XML INFILE', true, "LOAD XML INFILE '/etc/hostname' INTO TABLE accounts"),
    refused('SELECT … INTO OUTFILE', false, `SELECT * FROM accounts INTO OUTFILE '${c.outfile}'`),
    refused('SELECT … INTO DUMPFILE', false, `SELECT 'x' INTO DUMPFILE '${c.outfile}'`),
    // Schema changes.
    refused('CREATE TABLE … SELECT', true, 'CREATE TABLE stolen AS SELECT * FROM accounts'),
    refused('CREATE TEMPORARY TABLE', true, 'CREATE TEMPORARY TABLE scratch (x INT)'),
    refused('CREATE TEMPORARY TABLE, then use it in the next call', true, 'CREATE TEMPORARY TABLE scratch (x INT)', 'SELECT * FROM scratch'),
    refused('ALTER TABLE', true, 'ALTER TABLE accounts ADD COLUMN pwned INT'),
    refused('TRUNCATE', true, 'TRUNCATE accounts'),
    refused('RENAME TABLE', true, 'RENAME TABLE accounts TO accounts_old'),
    refused('DROP TABLE', true, 'DROP TABLE accounts'),
    refused('CREATE INDEX', true, 'CREATE INDEX pwned ON accounts (owner)'),
    refused('OPTIMIZE TABLE', true, 'OPTIMIZE TABLE accounts'),
    refused('REPAIR TABLE', true, 'REPAIR TABLE accounts'),
    refused('CREATE VIEW', true, 'CREATE VIEW pwned AS SELECT 1'),
    refused('CREATE DATABASE', true, `CREATE DATABASE ${c.lock}_db`),
    refused('CREATE TRIGGER', true, "CREATE TRIGGER pwned BEFORE INSERT ON accounts FOR EACH ROW SET NEW.owner = 'mallory'"),
    refused('CREATE EVENT', true, 'CREATE EVENT pwned ON SCHEDULE AT NOW() + INTERVAL 1 HOUR DO DELETE FROM accounts'),
    // Routines.
    refused('CREATE PROCEDURE', true, 'CREATE PROCEDURE pwned() DELETE FROM accounts'),
    refused('CREATE FUNCTION', true, 'CREATE FUNCTION pwned() RETURNS INT RETURN 1'),
    refused('CALL a pre-existing writing procedure', true, 'CALL give_bonus()'),
    refused('CALL a procedure that COMMITs, then writes', true, 'CALL commit_then_write()'),
    refused('SELECT a writing function', true, 'SELECT bump()'),
    // Sequences.
    refused('CREATE SEQUENCE', true, `CREATE SEQUENCE ${c.lock}_seq`),
    refused('NEXTVAL', true, 'SELECT NEXTVAL(order_numbers)'),
    refused('SETVAL', true, 'SELECT SETVAL(order_numbers, 1000)'),
    refused('ALTER SEQUENCE', true, 'ALTER SEQUENCE order_numbers RESTART WITH 500'),
    refused('DO with a side effect (NEXTVAL)', true, 'DO NEXTVAL(order_numbers)'),
    // Locks and handlers: state that could outlive the call.
    { name: 'GET_LOCK (must not outlive the call)', steps: [`SELECT GET_LOCK('${c.lock}', 0)`], outcome: 'harmless', admin: true },
    refused('HANDLER … OPEN, then read through it in the next call', true, 'HANDLER accounts OPEN', 'HANDLER accounts READ FIRST'),
    refused('LOCK TABLES … WRITE', true, 'LOCK TABLES accounts WRITE'),
    // Server administration.
    refused('FLUSH TABLES', false, 'FLUSH TABLES'),
    refused('FLUSH PRIVILEGES', false, 'FLUSH PRIVILEGES'),
    refused('KILL another connection', false, `KILL ${c.victimThread}`),
    refused('KILL QUERY of another connection', false, `KILL QUERY ${c.victimThread}`),
    refused('SHUTDOWN', false, 'SHUTDOWN'),
    refused('SET GLOBAL', false, 'SET GLOBAL max_statement_time = 1'),
    refused('GRANT', true, `GRANT ALL PRIVILEGES ON *.* TO ${c.account}`),
    refused('CREATE USER', true, `CREATE USER '${c.lock}'@'%'`),
    refused('SET PASSWORD', false, "SET PASSWORD = PASSWORD('pwned')"),
    refused('INSTALL SONAME', false, "INSTALL SONAME 'ha_blackhole'"),
    refused('BACKUP STAGE', false, 'BACKUP STAGE START'),
  ];
}
