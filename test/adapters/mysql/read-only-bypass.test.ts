// The read-only bypass corpus, through the `query` tool of four services on the machine's MariaDB:
//   ro           read_only: true, a SELECT-only account (the recommended setup)
//   rw           read_only: false, an application account that may write the database (its query tool)
//   split        read_only: false, root for execute, read_only_user (SELECT-only) for reads
//   root_only    read_only: false, root alone — only the attempts the read-only transaction must refuse by itself
// After every attempt: the data, the schema, the routines, the sequence, the accounts, the global
// settings and the named lock are as before, no file was written, and the victim connection lives.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql, { type Connection } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mysqlType from '../../../src/adapters/mysql/index.js';
import type { Gateway } from '../../../src/core/gateway.js';
import type { ServiceType } from '../../../src/sdk/index.js';
import { gatewayFrom } from '../../helpers/gateway.js';
import { scope, text } from '../../helpers/scope.js';
import { MARIADB, mariadbAvailable, type TestDatabase, testDatabase, uniqueName } from './mariadb-fixture.js';
import { type Attempt, type CorpusContext, readOnlyCorpus } from './read-only-corpus.js';

const available = await mariadbAvailable('the mysql read-only bypass corpus');
const types = [mysqlType as ServiceType<unknown>];

/** The grants of the accounts the docs recommend (docs/services/mysql.md). */
const READER_GRANTS = 'SELECT, SHOW VIEW';
const APP_GRANTS =
  'SELECT, INSERT, UPDATE, DELETE, CREATE, DROP, ALTER, INDEX, REFERENCES, CREATE TEMPORARY TABLES, LOCK TABLES, EXECUTE, CREATE VIEW, SHOW VIEW, CREATE ROUTINE, ALTER ROUTINE, TRIGGER, EVENT';

const SERVICES = [
  { service: 'ro', account: 'reader' },
  { service: 'rw', account: 'app' },
  { service: 'split', account: 'reader' },
  { service: 'root_only', account: 'root' },
] as const;

const names = readOnlyCorpus({ outfile: '', victimThread: 0, account: '', lock: '' });

describe.skipIf(!available)('read-only bypass corpus on MariaDB', () => {
  let db: TestDatabase;
  let gateway: Gateway;
  let victim: Connection;
  let outDir: string;
  let context: CorpusContext;
  let corpus: Attempt[];
  let baseline: unknown;
  const accounts = { reader: { user: '', password: '' }, app: { user: '', password: '' } };

  beforeAll(async () => {
    db = await testDatabase();
    await db.admin.query(`
      CREATE TABLE accounts (id INT PRIMARY KEY, owner VARCHAR(50) NOT NULL, balance DECIMAL(12,2) NOT NULL);
      INSERT INTO accounts VALUES (1, 'ada', 100.00), (2, 'bob', 250.50), (3, 'cy', 0.00);
      CREATE SEQUENCE order_numbers START WITH 1 INCREMENT BY 1 NOCACHE;
      CREATE PROCEDURE give_bonus() MODIFIES SQL DATA UPDATE accounts SET balance = balance + 100;
      CREATE PROCEDURE commit_then_write() MODIFIES SQL DATA BEGIN COMMIT; DELETE FROM accounts; END;
      CREATE FUNCTION bump() RETURNS INT MODIFIES SQL DATA BEGIN UPDATE accounts SET balance = balance + 1; RETURN 1; END;
    `);
    accounts.reader = await db.createUser('mcpeg_reader', READER_GRANTS);
    accounts.app = await db.createUser('mcpeg_app', APP_GRANTS);
    victim = await mysql.createConnection({ ...MARIADB });
    outDir = mkdtempSync(join(tmpdir(), 'mcpeg-outfile-'));
    // The server (another OS user) could write here: a refused INTO OUTFILE is refused, not merely unable.
    await chmod(outDir, 0o777);
    const lock = uniqueName('mcpeg_corpus');
    context = { outfile: join(outDir, 'leak.txt'), victimThread: victim.threadId, account: `'${accounts.reader.user}'@'127.0.0.1'`, lock };
    corpus = readOnlyCorpus(context);
    const common = (user: string, password: string) =>
      `host: ${MARIADB.host}, port: ${MARIADB.port}, database: ${db.name}, user: "${user}", password: "${password}", timeout: 5s`;
    gateway = await gatewayFrom(
      `global: { circuit_breaker: { threshold: 1000 } }
services:
  ro:
    driver: mysql
    pool: { max_connections: 1 }
    config: { ${common(accounts.reader.user, accounts.reader.password)} }
  rw:
    driver: mysql
    pool: { max_connections: 1 }
    config: { ${common(accounts.app.user, accounts.app.password)}, read_only: false }
  split:
    driver: mysql
    pool: { max_connections: 1 }
    config:
      { ${common(MARIADB.user, MARIADB.password)}, read_only: false, read_only_user: { user: "${accounts.reader.user}", password: "${accounts.reader.password}" } }
  root_only:
    driver: mysql
    pool: { max_connections: 1 }
    config: { ${common(MARIADB.user, MARIADB.password)}, read_only: false }
`,
      types,
    );
    baseline = await snapshot();
  });

  afterAll(async () => {
    await gateway?.shutdown(1000);
    // Should an attempt ever get through (a regression), what it made outside the test database goes too.
    if (context) await db.admin.query(`DROP DATABASE IF EXISTS \`${context.lock}_db\`; DROP USER IF EXISTS '${context.lock}'@'%'`);
    await victim?.end();
    if (outDir) rmSync(outDir, { recursive: true, force: true });
    await db?.drop();
  });

  /** Everything an attempt could change, read with the admin connection. */
  async function snapshot() {
    const q = async (sql: string, params: unknown[] = []) => (await db.admin.query(sql, params))[0];
    return {
      checksum: await q('CHECKSUM TABLE accounts EXTENDED'),
      rows: await q('SELECT * FROM accounts ORDER BY id'),
      objects: await q('SELECT TABLE_NAME, TABLE_TYPE FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? ORDER BY 1', [db.name]),
      columns: await q('SELECT TABLE_NAME, COLUMN_NAME, COLUMN_TYPE FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? ORDER BY 1, 2', [db.name]),
      indexes: await q('SELECT TABLE_NAME, INDEX_NAME FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = ? ORDER BY 1, 2', [db.name]),
      routines: await q('SELECT ROUTINE_NAME, ROUTINE_TYPE FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = ? ORDER BY 1', [db.name]),
      triggers: await q('SELECT TRIGGER_NAME FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = ?', [db.name]),
      events: await q('SELECT EVENT_NAME FROM information_schema.EVENTS WHERE EVENT_SCHEMA = ?', [db.name]),
      sequence: await q('SELECT next_not_cached_value FROM order_numbers'),
      databases: await q('SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?', [`${context.lock}_db`]),
      users: await q('SELECT User, Host FROM mysql.user WHERE User IN (?, ?, ?) ORDER BY 1, 2', [context.lock, accounts.reader.user, accounts.app.user]),
      grants: [await q(`SHOW GRANTS FOR '${accounts.reader.user}'@'127.0.0.1'`), await q(`SHOW GRANTS FOR '${accounts.app.user}'@'127.0.0.1'`)],
      globals: await q('SELECT @@GLOBAL.max_statement_time AS mst, @@GLOBAL.read_only AS ro'),
      plugins: await q("SELECT PLUGIN_NAME FROM information_schema.PLUGINS WHERE PLUGIN_NAME = 'BLACKHOLE'"),
      lockFree: await q('SELECT IS_FREE_LOCK(?) AS free', [context.lock]),
      outfile: existsSync(context.outfile),
      victimAlive: await victim.query('SELECT 1 AS alive').then(
        ([rows]) => rows,
        (error: Error) => error.message,
      ),
    };
  }

  it('has at least 30 attempts, and the outfile directory is one the server can write to', async () => {
    expect(names.filter((attempt) => attempt.outcome === 'refused').length).toBeGreaterThanOrEqual(30);
    const control = join(outDir, 'control.txt');
    await db.admin.query(`SELECT 1 INTO OUTFILE '${control}'`);
    expect(existsSync(control)).toBe(true);
    rmSync(control);
  });

  describe.each(SERVICES)('the query tool of $service', ({ service, account }) => {
    const attempts = names.map((attempt, index) => ({ index, name: attempt.name })).filter(({ index }) => account !== 'root' || names[index]!.admin);

    it(`runs as the ${account} account`, async () => {
      // Guard: the dangerous attempts (SHUTDOWN, KILL, SET GLOBAL) only ever go to least-privilege accounts.
      const result = await gateway.dispatcher.callTool(`${service}__query`, { sql: 'SELECT CURRENT_USER() AS who' }, scope());
      const who = (result.structuredContent as { rows: string[][] }).rows[0]![0]!;
      expect(who.split('@')[0]).toBe(account === 'root' ? 'root' : accounts[account].user);
    });

    it.each(attempts)('$name', async ({ index }) => {
      const attempt = corpus[index]!;
      if (account === 'root') expect(attempt.admin).toBe(true);
      const results = [];
      for (const sql of attempt.steps) results.push(await gateway.dispatcher.callTool(`${service}__query`, { sql }, scope()));
      const last = results.at(-1)!;
      if (attempt.outcome === 'refused') {
        expect(last.isError, `${attempt.steps.at(-1)} was not refused: ${text(last)}`).toBe(true);
        // Refused by the database — never a gateway or connection failure.
        expect(last._meta?.['dev.mcpeg/error']).toBeUndefined();
        expect(text(last)).toMatch(new RegExp(`^\\[${service}\\] `));
      }
      expect(await snapshot()).toEqual(baseline);
      expect(gateway.host(service)?.status().breaker).toBe('closed');
    });
  });

  it('the read-only transaction alone refuses writes and DDL even for root; what it cannot refuse is listed', () => {
    // The attempts aimed at root_only above are the ones MariaDB's read-only session and transaction
    // refuse by themselves. The others need a least-privilege account (docs/services/mysql.md).
    const rootRefused = names.filter((attempt) => attempt.admin && attempt.outcome === 'refused').length;
    expect(rootRefused).toBeGreaterThanOrEqual(55);
    expect(names.filter((attempt) => !attempt.admin).map((attempt) => attempt.name)).toEqual([
      'SELECT … INTO OUTFILE',
      'SELECT … INTO DUMPFILE',
      'FLUSH TABLES',
      'FLUSH PRIVILEGES',
      'KILL another connection',
      'KILL QUERY of another connection',
      'SHUTDOWN',
      'SET GLOBAL',
      'SET PASSWORD',
      'INSTALL SONAME',
      'BACKUP STAGE',
    ]);
  });
});
