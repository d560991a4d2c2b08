// Read-only is enforced by the database, not by parsing SQL: every read runs as one statement in a server-side
// cursor inside BEGIN READ ONLY … ROLLBACK. This corpus tries to get a write through anyway — on a read_only
// service and on the query tool of a read_only: false service — as a role that OWNS every table, so privileges
// would allow each write and only the transaction stands in the way. Each attempt must be refused for the
// reason given (a refusal for a typo would prove nothing), or be a read that leaves nothing behind; the
// database's fingerprint is compared after every single attempt. Both services use one pooled connection, so
// anything an attempt left in the session would meet the attempts after it.
import { existsSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import postgres from '../../../src/adapters/postgres/index.js';
import type { Gateway } from '../../../src/core/gateway.js';
import type { ServiceType } from '../../../src/sdk/service-type.js';
import { gatewayFrom } from '../../helpers/gateway.js';
import { scope, text } from '../../helpers/scope.js';
import { createTestDatabase, postgresReachable, type TestDatabase } from './test-database.js';

const reachable = await postgresReachable();
const tag = randomBytes(4).toString('hex');
const FILES = [`/tmp/mcpeg_copy_${tag}`, `/tmp/mcpeg_program_${tag}`, `/tmp/mcpeg_lo_${tag}`, `/tmp/mcpeg_file_${tag}`];

const READ_ONLY = /in a read-only transaction/;
const NOT_A_QUERY = /query runs one read-only SELECT, VALUES, TABLE or WITH … SELECT statement; \w+ is not one/;
const ONE_STATEMENT = /cannot insert multiple commands into a prepared statement/;
const SYNTAX = /syntax error/;

interface Attempt {
  readonly name: string;
  readonly sql: string;
  readonly params?: readonly unknown[];
  readonly tool?: 'query' | 'explain';
  /** Why it must fail; `harmless` marks a read the server allows, which must leave nothing behind. */
  readonly refused: RegExp | 'harmless';
}

const CORPUS: readonly Attempt[] = [
  { name: 'plain DELETE', sql: 'DELETE FROM accounts', refused: NOT_A_QUERY },
  { name: 'UPDATE', sql: 'UPDATE accounts SET balance = 0', refused: NOT_A_QUERY },
  { name: 'INSERT', sql: "INSERT INTO accounts VALUES (9, 'mallory', 1e9)", refused: NOT_A_QUERY },
  { name: 'MERGE', sql: 'MERGE INTO accounts a USING (SELECT 1 AS id) s ON a.id = s.id WHEN MATCHED THEN DELETE', refused: NOT_A_QUERY },
  { name: 'TRUNCATE', sql: 'TRUNCATE accounts', refused: NOT_A_QUERY },
  { name: 'DROP TABLE', sql: 'DROP TABLE accounts', refused: NOT_A_QUERY },
  { name: 'ALTER TABLE', sql: 'ALTER TABLE accounts ADD COLUMN pwned int', refused: NOT_A_QUERY },
  { name: 'GRANT', sql: 'GRANT ALL ON accounts TO PUBLIC', refused: NOT_A_QUERY },
  { name: 'data-modifying CTE (DELETE)', sql: 'WITH d AS (DELETE FROM accounts RETURNING *) SELECT * FROM d', refused: /must not contain data-modifying statements in WITH/ },
  { name: 'data-modifying CTE (UPDATE), recursive', sql: 'WITH RECURSIVE u AS (UPDATE accounts SET balance = 0 RETURNING id) SELECT count(*) FROM u', refused: /must not contain data-modifying statements in WITH/ },
  { name: 'SELECT … INTO a new table', sql: 'SELECT * INTO stolen FROM accounts', refused: /SELECT \.\.\. INTO is not allowed here/ },
  { name: 'SELECT … INTO TEMP', sql: 'SELECT * INTO TEMP stolen FROM accounts', refused: /SELECT \.\.\. INTO is not allowed here/ },
  { name: 'SELECT … FOR UPDATE (row locks)', sql: 'SELECT * FROM accounts FOR UPDATE', refused: /cannot execute SELECT FOR UPDATE in a read-only transaction/ },
  { name: 'two statements', sql: 'SELECT 1; DELETE FROM accounts', refused: ONE_STATEMENT },
  { name: 'TABLE then DELETE', sql: 'TABLE accounts; DELETE FROM accounts', refused: ONE_STATEMENT },
  { name: 'COMMIT; DELETE', sql: 'COMMIT; DELETE FROM accounts', refused: NOT_A_QUERY },
  { name: 'SELECT; COMMIT; DELETE', sql: 'SELECT 1; COMMIT; DELETE FROM accounts', refused: ONE_STATEMENT },
  { name: 'ROLLBACK; DELETE', sql: 'ROLLBACK; DELETE FROM accounts', refused: NOT_A_QUERY },
  { name: 'SELECT; ROLLBACK; DELETE', sql: 'SELECT 1; ROLLBACK; DELETE FROM accounts', refused: ONE_STATEMENT },
  { name: 'END; BEGIN READ WRITE; DELETE', sql: 'END; BEGIN READ WRITE; DELETE FROM accounts', refused: NOT_A_QUERY },
  { name: 'SELECT; BEGIN READ WRITE; DELETE', sql: 'SELECT 1; BEGIN READ WRITE; DELETE FROM accounts', refused: ONE_STATEMENT },
  { name: 'BEGIN READ WRITE alone', sql: 'BEGIN READ WRITE', refused: NOT_A_QUERY },
  { name: 'COMMIT alone (to end the read-only transaction)', sql: 'COMMIT', refused: NOT_A_QUERY },
  { name: 'psql-style \\; separator', sql: 'SELECT 1 \\; DELETE FROM accounts', refused: SYNTAX },
  { name: 'COPY FROM PROGRAM', sql: "COPY accounts FROM PROGRAM 'echo 9,mallory,1' WITH (FORMAT csv)", refused: NOT_A_QUERY },
  { name: 'COPY TO a server file', sql: `COPY accounts TO '${FILES[0]}'`, refused: NOT_A_QUERY },
  { name: 'COPY (query) TO PROGRAM', sql: `COPY (SELECT 1) TO PROGRAM 'touch ${FILES[1]}'`, refused: NOT_A_QUERY },
  { name: 'CREATE FUNCTION; SELECT it', sql: "CREATE FUNCTION evil() RETURNS int LANGUAGE sql AS 'DELETE FROM accounts RETURNING 1'; SELECT evil()", refused: NOT_A_QUERY },
  { name: 'SELECT; CREATE FUNCTION; SELECT it', sql: "SELECT 1; CREATE FUNCTION evil() RETURNS int LANGUAGE sql AS 'DELETE FROM accounts RETURNING 1'; SELECT evil()", refused: ONE_STATEMENT },
  { name: 'CREATE FUNCTION alone', sql: "CREATE FUNCTION evil() RETURNS int LANGUAGE sql AS 'SELECT 1'", refused: NOT_A_QUERY },
  { name: 'a writing function made by a superuser (SECURITY DEFINER)', sql: 'SELECT bump()', refused: /cannot execute UPDATE in a read-only transaction/ },
  { name: 'the writing function hidden in WHERE', sql: 'SELECT * FROM accounts WHERE bump() > 0', refused: /cannot execute UPDATE in a read-only transaction/ },
  { name: 'dynamic SQL in a plpgsql function', sql: 'SELECT run_sql($1)', params: ['DELETE FROM accounts'], refused: /cannot execute DELETE in a read-only transaction/ },
  { name: 'CALL a procedure that commits', sql: 'CALL reset_balances()', refused: NOT_A_QUERY },
  { name: 'DO block', sql: 'DO $$ BEGIN DELETE FROM accounts; END $$', refused: NOT_A_QUERY },
  { name: 'SET SESSION CHARACTERISTICS … READ WRITE', sql: 'SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE', refused: NOT_A_QUERY },
  { name: 'SET transaction_read_only = off', sql: 'SET transaction_read_only = off', refused: NOT_A_QUERY },
  { name: 'set_config(transaction_read_only) then write', sql: "SELECT set_config('transaction_read_only', 'off', true), bump()", refused: /transaction read-write mode must be set before any query/ },
  { name: 'set_config(default_transaction_read_only) for later calls', sql: "SELECT set_config('default_transaction_read_only', 'off', false)", refused: 'harmless' },
  { name: '…and the write after it (same pooled connection)', sql: 'SELECT bump()', refused: READ_ONLY },
  { name: 'SET ROLE to a superuser through set_config', sql: "SELECT set_config('role', 'postgres', false)", refused: /permission denied to set role "postgres"/ },
  { name: 'nextval', sql: "SELECT nextval('invoice_seq')", refused: /cannot execute nextval\(\) in a read-only transaction/ },
  { name: 'setval', sql: "SELECT setval('invoice_seq', 1000)", refused: /cannot execute setval\(\) in a read-only transaction/ },
  { name: 'session advisory lock (outlives ROLLBACK unless released)', sql: 'SELECT pg_advisory_lock(4242)', refused: 'harmless' },
  { name: 'shared advisory lock', sql: 'SELECT pg_advisory_lock_shared(4243), pg_try_advisory_lock(4244)', refused: 'harmless' },
  { name: 'CREATE TEMP TABLE', sql: 'CREATE TEMP TABLE t AS SELECT 1', refused: NOT_A_QUERY },
  { name: 'LOCK TABLE', sql: 'LOCK TABLE accounts IN ACCESS EXCLUSIVE MODE', refused: NOT_A_QUERY },
  { name: 'pg_terminate_backend of a superuser session', sql: "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'mcpeg-test-admin'", refused: /must be a superuser to terminate superuser process/ },
  { name: 'VACUUM', sql: 'VACUUM accounts', refused: NOT_A_QUERY },
  { name: 'CLUSTER', sql: 'CLUSTER accounts USING accounts_pkey', refused: NOT_A_QUERY },
  { name: 'REFRESH MATERIALIZED VIEW', sql: 'REFRESH MATERIALIZED VIEW account_totals', refused: NOT_A_QUERY },
  { name: 'PREPARE a DELETE', sql: 'PREPARE p AS DELETE FROM accounts', refused: NOT_A_QUERY },
  { name: 'EXECUTE a prepared statement', sql: 'EXECUTE p', refused: NOT_A_QUERY },
  { name: 'DECLARE a cursor WITH HOLD', sql: 'DECLARE h CURSOR WITH HOLD FOR SELECT * FROM accounts', refused: NOT_A_QUERY },
  { name: "close the gateway's own cursor", sql: 'CLOSE mcpeg_rows', refused: NOT_A_QUERY },
  { name: 'lo_import a server file', sql: "SELECT lo_import('/etc/hostname')", refused: /permission denied for function lo_import/ },
  { name: 'lo_from_bytea (writes pg_largeobject, then rolled back)', sql: "SELECT lo_from_bytea(0, 'pwned')", refused: 'harmless' },
  { name: 'lo_export to a server file', sql: `SELECT lo_export(1, '${FILES[2]}')`, refused: /permission denied for function lo_export/ },
  { name: 'pg_file_write (adminpack)', sql: `SELECT pg_file_write('${FILES[3]}', 'x', false)`, refused: /function pg_file_write\(unknown, unknown, boolean\) does not exist/ },
  { name: 'pg_reload_conf', sql: 'SELECT pg_reload_conf()', refused: /permission denied for function pg_reload_conf/ },
  { name: 'NOTIFY', sql: "NOTIFY mcpeg_channel, 'pwned'", refused: NOT_A_QUERY },
  { name: 'pg_notify (only delivered on commit; rolled back)', sql: "SELECT pg_notify('mcpeg_channel', 'pwned')", refused: 'harmless' },
  { name: 'ALTER SYSTEM', sql: "ALTER SYSTEM SET work_mem = '1GB'", refused: NOT_A_QUERY },
  { name: 'CREATE EXTENSION', sql: 'CREATE EXTENSION IF NOT EXISTS pgcrypto', refused: NOT_A_QUERY },
  { name: 'comment and case game', sql: '/**/dElEtE/**/FROM accounts', refused: NOT_A_QUERY },
  { name: 'nested comment hiding a DELETE (a read)', sql: '/* outer /* inner */ DELETE FROM accounts; */ SELECT count(*) FROM accounts', refused: 'harmless' },
  { name: 'unbalanced nested comment', sql: 'SELECT 1 /* /* */ ; DELETE FROM accounts', refused: /unterminated \/\* comment/ },
  { name: 'dollar-quoted statement text (a read)', sql: 'SELECT $$; DELETE FROM accounts; $$ AS text', refused: 'harmless' },
  { name: 'dollar-quoted tag games', sql: 'SELECT $x$ $$ $x$; DELETE FROM accounts', refused: ONE_STATEMENT },
  { name: 'a hostile bound parameter stays a value', sql: 'SELECT $1::text AS value', params: ["'; DELETE FROM accounts; --"], refused: 'harmless' },
  { name: 'EXPLAIN ANALYZE through query', sql: 'EXPLAIN ANALYZE DELETE FROM accounts', refused: NOT_A_QUERY },
  { name: 'EXPLAIN ANALYZE through explain', tool: 'explain', sql: 'EXPLAIN ANALYZE DELETE FROM accounts', refused: SYNTAX },
  { name: 'ANALYZE option smuggled into explain', tool: 'explain', sql: 'ANALYZE DELETE FROM accounts', refused: SYNTAX },
  { name: '(ANALYZE) option list smuggled into explain', tool: 'explain', sql: '(ANALYZE) DELETE FROM accounts', refused: SYNTAX },
  { name: 'explain of a DELETE plans it only', tool: 'explain', sql: 'DELETE FROM accounts RETURNING bump()', refused: 'harmless' },
  { name: 'explain of a second statement', tool: 'explain', sql: 'SELECT 1; DELETE FROM accounts', refused: ONE_STATEMENT },
];

describe.skipIf(!reachable)('postgres: read-only bypass corpus', () => {
  let db: TestDatabase;
  let gateway: Gateway;
  const notifications: string[] = [];

  beforeAll(async () => {
    db = await createTestDatabase('readonly', { ownerRole: true });
    await db.asOwner(`
      CREATE TABLE accounts (id integer PRIMARY KEY, owner text NOT NULL, balance numeric NOT NULL);
      INSERT INTO accounts VALUES (1, 'ada', 100), (2, 'grace', 200), (3, 'linus', 300);
      CREATE SEQUENCE invoice_seq;
      CREATE MATERIALIZED VIEW account_totals AS SELECT sum(balance) AS total FROM accounts;
      CREATE FUNCTION run_sql(statement text) RETURNS void LANGUAGE plpgsql AS $$ BEGIN EXECUTE statement; END $$;
      CREATE PROCEDURE reset_balances() LANGUAGE plpgsql AS $$ BEGIN UPDATE accounts SET balance = 0; COMMIT; END $$;
    `);
    // Made by the superuser, running with its rights: still refused inside a read-only transaction.
    await db.admin.query(`CREATE FUNCTION bump() RETURNS integer LANGUAGE sql VOLATILE SECURITY DEFINER
                            AS $$ UPDATE accounts SET balance = balance + 1 WHERE id = 1 RETURNING 1 $$`);
    db.admin.on('notification', (message) => notifications.push(message.payload ?? ''));
    await db.admin.query('LISTEN mcpeg_channel');
    const service = (readOnly: boolean) => `
    driver: postgres
    dsn: ${db.dsn}
    read_only: ${readOnly}
    pool: { max_connections: 1, idle_connections: 1 }`;
    const superuser = service(true).replace(db.dsn, db.superDsn);
    gateway = await gatewayFrom(`services:\n  ro:${service(true)}\n  rw:${service(false)}\n  su:${superuser}`, [postgres as ServiceType<unknown>]);
  });

  afterAll(async () => {
    await gateway?.shutdown(2000);
    await db?.drop();
    for (const file of FILES) rmSync(file, { force: true });
  });

  /** Everything an attempt could have changed, in one comparable value. */
  async function fingerprint() {
    const row = async (sql: string) => (await db.admin.query(sql)).rows[0];
    return {
      accounts: await row(`SELECT md5(string_agg(a::text, ',' ORDER BY id)) AS sum FROM accounts a`),
      sequence: await row('SELECT last_value, is_called FROM invoice_seq'),
      totals: await row('SELECT total FROM account_totals'),
      relations: await row(`SELECT string_agg(relname, ',' ORDER BY relname) AS names FROM pg_class c
                              JOIN pg_namespace n ON n.oid = c.relnamespace WHERE nspname = 'public' OR nspname LIKE 'pg_temp%'`),
      functions: await row(`SELECT string_agg(proname, ',' ORDER BY proname) AS names FROM pg_proc p
                              JOIN pg_namespace n ON n.oid = p.pronamespace WHERE nspname = 'public'`),
      largeObjects: await row('SELECT count(*)::int AS n FROM pg_largeobject_metadata'),
      advisoryLocks: await row(`SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory'`),
      settings: await row(`SELECT setting FROM pg_file_settings WHERE name = 'work_mem' AND sourcefile LIKE '%auto.conf'`),
      files: FILES.filter((file) => existsSync(file)),
      notifications: [...notifications],
    };
  }

  it(`has at least 30 attempts (${CORPUS.length})`, () => {
    expect(CORPUS.length).toBeGreaterThanOrEqual(30);
  });

  const RUNS = {
    ro: 'a read_only service',
    rw: 'the query tool of a read_only: false service',
    su: 'a read_only service connected as a superuser (the attempts its privileges would not stop anyway)',
  } as const;
  /** What only privileges refuse: a superuser would be allowed (see docs/services/postgres.md on roles). */
  const PRIVILEGE = /permission denied|must be a superuser/;

  for (const [service, title] of Object.entries(RUNS)) {
    it(`${title}: every attempt fails or leaves nothing behind`, async () => {
      const baseline = await fingerprint();
      const outcomes: string[] = [];
      const mismatches: string[] = [];
      const corpus = service === 'su' ? CORPUS.filter((attempt) => attempt.refused === 'harmless' || !PRIVILEGE.test(attempt.refused.source)) : CORPUS;
      expect(corpus.length).toBeGreaterThanOrEqual(30);
      for (const attempt of corpus) {
        const args = { sql: attempt.sql, ...(attempt.params ? { params: attempt.params } : {}) };
        const result = await gateway.dispatcher.callTool(`${service}__${attempt.tool ?? 'query'}`, args, scope());
        const said = text(result);
        if (attempt.refused === 'harmless') {
          if (result.isError) mismatches.push(`${attempt.name}: expected to run, but: ${said}`);
        } else if (!result.isError) {
          mismatches.push(`${attempt.name}: NOT REFUSED: ${said}`);
        } else if (!attempt.refused.test(said)) {
          mismatches.push(`${attempt.name}: refused for another reason than ${attempt.refused}: ${said}`);
        } else if (result._meta?.['dev.mcpeg/error'] !== undefined) {
          // The SQL's failure, not the database's: an isError result of the statement, no breaker trip.
          mismatches.push(`${attempt.name}: reported as a gateway error ${JSON.stringify(result._meta)}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 5)); // let a notification arrive, if one was sent
        expect(await fingerprint(), `after "${attempt.name}"`).toEqual(baseline);
        outcomes.push(`${attempt.name}: ${result.isError ? said : 'ran, no effect'}`);
      }
      expect(mismatches).toEqual([]);
      expect(outcomes).toHaveLength(corpus.length);
      expect(gateway.host(service)!.status().breaker).toBe('closed');
    });
  }

  it('the advisory lock a query took is not held after the call: another session gets it', async () => {
    const taken = await gateway.dispatcher.callTool('ro__query', { sql: 'SELECT pg_advisory_lock(777) AS locked' }, scope());
    expect(taken.isError).toBeFalsy();
    const other = await db.admin.query('SELECT pg_try_advisory_lock(777) AS got');
    expect(other.rows[0].got).toBe(true);
    await db.admin.query('SELECT pg_advisory_unlock(777)');
  });

  it('the execute tool of the read_only: false service does write (the same role, so privileges were never the guard)', async () => {
    const result = await gateway.dispatcher.callTool('rw__execute', { sql: 'UPDATE accounts SET balance = balance WHERE id = $1', params: [1] }, scope());
    expect(result.structuredContent).toEqual({ affectedRows: 1 });
  });
});
