// The sqlite service's config (path, the DSN forms, keys that make no sense for a file) and what happens
// when the file is missing, a folder, not a database, or the driver cannot be loaded.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { databaseFile, parseSqliteDsn, sqliteConfigSchema } from '../../../src/adapters/sqlite/config.js';
import { SqliteEngine } from '../../../src/adapters/sqlite/engine.js';
import sqliteType from '../../../src/adapters/sqlite/index.js';
import { defineSqlType } from '../../../src/adapters/sql/sql-service-type.js';
import type { ServiceType } from '../../../src/sdk/service-type.js';
import { describeIssues, loadText } from '../../config/load.js';
import { scope, text } from '../../helpers/scope.js';
import { cleanup, createDatabase, gateway, listing, readDirect, tempDir } from './sqlite-fixture.js';

afterEach(cleanup);

const types = [sqliteType as ServiceType<unknown>];
const issuesOf = async (yaml: string) => {
  const result = await loadText(yaml, { types });
  return result.ok ? [] : result.issues.map((issue) => `${issue.path}: ${issue.message}`);
};
const errorOf = (result: unknown) => (result as { _meta?: Record<string, { code?: string }> })._meta?.['dev.mcpeg/error']?.code;

describe('sqlite config: the file and the DSN forms', () => {
  it('parses sqlite:, sqlite3: and file: DSNs into paths', () => {
    expect(parseSqliteDsn('sqlite:///var/lib/shop.db')).toEqual({ path: '/var/lib/shop.db' });
    expect(parseSqliteDsn('sqlite://localhost/var/lib/shop.db')).toEqual({ path: '/var/lib/shop.db' });
    expect(parseSqliteDsn('sqlite:data/shop.db')).toEqual({ path: 'data/shop.db' });
    expect(parseSqliteDsn('sqlite:/var/lib/shop.db')).toEqual({ path: '/var/lib/shop.db' });
    expect(parseSqliteDsn('SQLite3:data/shop.db')).toEqual({ path: 'data/shop.db' });
    expect(parseSqliteDsn('file:data/shop.db')).toEqual({ path: 'data/shop.db' });
    expect(parseSqliteDsn('file:///srv/my%20data/shop.db')).toEqual({ path: '/srv/my data/shop.db' });
  });

  it('explains what is wrong with a DSN that is not one', () => {
    expect(parseSqliteDsn('postgres://db/shop')).toMatchObject({ problem: expect.stringContaining('must start with sqlite: or file:') });
    expect(parseSqliteDsn('sqlite://db.internal/shop.db')).toMatchObject({ problem: expect.stringContaining('names a host ("db.internal")') });
    expect(parseSqliteDsn('file:shop.db?mode=rwc')).toMatchObject({ problem: expect.stringContaining('takes no query parameters') });
    expect(parseSqliteDsn('sqlite://')).toMatchObject({ problem: expect.stringContaining('names no file') });
    expect(parseSqliteDsn('sqlite:bad%zzescape')).toMatchObject({ problem: expect.stringContaining('%-escape') });
  });

  it('resolves a relative path against the working directory of the process, not the config file', () => {
    expect(databaseFile({ path: 'data/shop.db' }, '/srv/mcpeg')).toBe('/srv/mcpeg/data/shop.db');
    expect(databaseFile({ dsn: 'sqlite:data/shop.db' }, '/srv/mcpeg')).toBe('/srv/mcpeg/data/shop.db');
    expect(databaseFile({ dsn: 'sqlite:///abs/shop.db' }, '/srv/mcpeg')).toBe('/abs/shop.db');
    expect(databaseFile({ path: '../shop.db' }, '/srv/mcpeg')).toBe('/srv/shop.db');
  });

  it('defaults: read-only, statement timeout left to the service (a little under the call timeout), 1000 rows, 1 MB, no demo, no creation', () => {
    expect(sqliteConfigSchema.parse({ path: 'x.db' }).timeout).toBeUndefined();
    expect(sqliteConfigSchema.parse({ path: 'x.db' })).toMatchObject({
      read_only: true,
      max_rows: 1000,
      max_bytes: 1_000_000,
      demo: false,
      create_if_missing: false,
      queries: {},
    });
  });

  it('rejects server settings, a missing or doubled file, an in-memory database and a bad DSN — each at its key', async () => {
    expect(await issuesOf('services: { db: { driver: sqlite, path: x.db, host: localhost, port: 5432, user: app, password: pw } }')).toEqual([
      'services.db.host: host does not apply to SQLite, which opens a local file, not a server: remove it and set path: (or dsn: sqlite:///absolute/path.db)',
      'services.db.port: port does not apply to SQLite, which opens a local file, not a server: remove it and set path: (or dsn: sqlite:///absolute/path.db)',
      'services.db.user: user does not apply to SQLite, which opens a local file, not a server: remove it and set path: (or dsn: sqlite:///absolute/path.db)',
      'services.db.password: password does not apply to SQLite, which opens a local file, not a server: remove it and set path: (or dsn: sqlite:///absolute/path.db)',
    ]);
    expect(await issuesOf('services: { db: { driver: sqlite, config: { path: x.db, database: shop } } }')).toEqual([
      expect.stringMatching(/^services\.db\.config\.database: database does not apply to SQLite/),
    ]);
    expect(await issuesOf('services: { db: { driver: sqlite } }')).toEqual(['services.db: needs the database file: set path: (or dsn: sqlite:///absolute/path.db)']);
    expect(await issuesOf('services: { db: { driver: sqlite, path: a.db, dsn: "sqlite:b.db" } }')).toEqual([
      'services.db.dsn: path: and dsn: both name the database file: keep one',
    ]);
    expect(await issuesOf('services: { db: { driver: sqlite, path: ":memory:" } }')).toEqual([
      'services.db.path: an in-memory database would start empty in a process of its own and vanish with it: name a file',
    ]);
    expect(await issuesOf('services: { db: { driver: sqlite, dsn: "mysql://db/x" } }')).toEqual([
      expect.stringMatching(/^services\.db\.dsn: must start with sqlite: or file:/),
    ]);
    expect(await issuesOf('services: { db: { driver: sqlite, path: x.db, demo: yes please } }')).toEqual([expect.stringMatching(/^services\.db\.demo: /)]);
  });

  it('the simple seed form works: the service key names the type and dsn: names the file', async () => {
    const file = createDatabase(join(tempDir(), 'seed.db'), 'CREATE TABLE t (a); INSERT INTO t VALUES (1);');
    const result = await loadText(`services:\n  sqlite:\n    enabled: true\n    dsn: sqlite://${file}\n`, { types });
    if (!result.ok) expect.fail(describeIssues(result.issues));
    const started = await gateway(`services:\n  sqlite:\n    dsn: sqlite://${file}\n`);
    expect(text(await started.dispatcher.callTool('sqlite__query', { sql: 'select a from t' }, scope()))).toBe('a\n1\n(1 row)');
  });

  it('a relative dsn: opens the file relative to the working directory', async () => {
    const file = createDatabase(join(tempDir(), 'relative.db'), 'CREATE TABLE t (a); INSERT INTO t VALUES (2);');
    const started = await gateway(`services:\n  rel:\n    driver: sqlite\n    dsn: "sqlite:${relative(process.cwd(), file)}"\n`);
    expect(text(await started.dispatcher.callTool('rel__query', { sql: 'select a from t' }, scope()))).toBe('a\n2\n(1 row)');
  });
});

describe('sqlite: a file that is missing, a folder, or not a database', () => {
  it('a missing file is a clear error naming the service and the path; nothing is created', async () => {
    const dir = tempDir();
    const started = await gateway(`services:\n  shop:\n    driver: sqlite\n    path: ${dir}/missing.db\n  other:\n    driver: sqlite\n    path: ${createDatabase(join(dir, 'ok.db'), 'CREATE TABLE t (a)')}\n`);
    const result = await started.dispatcher.callTool('shop__query', { sql: 'select 1' }, scope());
    expect(result.isError).toBe(true);
    expect(text(result)).toBe(
      `[shop] no SQLite database file at ${dir}/missing.db — fix path:, or set create_if_missing: true to start with an empty database (demo: true for the demo data)`,
    );
    expect(errorOf(result)).toBe('BACKEND_UNREACHABLE');
    expect(listing(dir)).toEqual(['ok.db']);
    expect(started.host('shop')?.phase).toBe('failed');
    // Another service is unaffected.
    expect((await started.dispatcher.callTool('other__list_tables', {}, scope())).isError).toBeFalsy();
  });

  it('a relative path that is missing says where it looked', async () => {
    const started = await gateway('services:\n  shop:\n    driver: sqlite\n    path: no/such/shop.db\n');
    const result = await started.dispatcher.callTool('shop__query', { sql: 'select 1' }, scope());
    expect(text(result)).toContain(`[shop] no SQLite database file at ${join(process.cwd(), 'no/such/shop.db')} (path: "no/such/shop.db", relative to the working directory ${process.cwd()})`);
    expect(existsSync(join(process.cwd(), 'no'))).toBe(false);
  });

  it('a folder, or a file that is not a database, is named as such', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'folder.db'));
    writeFileSync(join(dir, 'notes.db'), 'these are not the pages you are looking for '.repeat(100));
    const started = await gateway(`services:\n  folder:\n    driver: sqlite\n    path: ${dir}/folder.db\n  notes:\n    driver: sqlite\n    path: ${dir}/notes.db\n`);
    const folder = await started.dispatcher.callTool('folder__query', { sql: 'select 1' }, scope());
    expect(text(folder)).toBe(`[folder] ${dir}/folder.db is a directory, not a SQLite database file — point path: at a file`);
    const notes = await started.dispatcher.callTool('notes__query', { sql: 'select 1' }, scope());
    expect(text(notes)).toBe(`[notes] cannot reach the database at sqlite:${dir}/notes.db: file is not a database`);
    expect(errorOf(notes)).toBe('BACKEND_UNREACHABLE');
  });

  it('create_if_missing: true starts with an empty database, in a folder made for it', async () => {
    const dir = tempDir();
    const started = await gateway(`services:\n  fresh:\n    driver: sqlite\n    path: ${dir}/sub/fresh.db\n    create_if_missing: true\n    read_only: false\n`);
    expect(text(await started.dispatcher.callTool('fresh__list_tables', {}, scope()))).toBe('(no tables)');
    expect(text(await started.dispatcher.callTool('fresh__execute', { sql: 'create table notes (body text)' }, scope()))).toBe('0 row(s) affected');
    expect(text(await started.dispatcher.callTool('fresh__execute', { sql: "insert into notes values ('hi')" }, scope()))).toBe(
      '1 row(s) affected, last insert id 1',
    );
    expect(readDirect(join(dir, 'sub/fresh.db'), 'select body from notes')).toEqual([{ body: 'hi' }]);
    expect(listing(join(dir, 'sub'))).toEqual(['fresh.db']);
  });

  it('a missing driver is DRIVER_MISSING for that service only', async () => {
    // The same type, but its services import a package that is not installed (as when better-sqlite3 is absent).
    const broken = defineSqlType({
      name: 'sqlite_without_driver',
      version: '1.0.0',
      description: 'sqlite whose driver is missing',
      configSchema: sqliteConfigSchema,
      placeholderHint: '?',
      engine: (ctx) => new SqliteEngine({ ...ctx, importDriver: () => ctx.importDriver('better-sqlite3-not-installed') }),
    });
    const file = createDatabase(join(tempDir(), 'fine.db'), 'CREATE TABLE t (a)');
    const started = await gateway(`services:\n  nodriver:\n    driver: sqlite_without_driver\n    path: ${file}\n  fine:\n    driver: sqlite\n    path: ${file}\n`, [
      broken as ServiceType<unknown>,
    ]);
    const result = await started.dispatcher.callTool('nodriver__query', { sql: 'select 1' }, scope());
    expect(text(result)).toBe('[nodriver] needs the package "better-sqlite3-not-installed", which is not installed: run npm install better-sqlite3-not-installed');
    expect(errorOf(result)).toBe('DRIVER_MISSING');
    expect(text(await started.dispatcher.callTool('fine__list_tables', {}, scope()))).toBe('t (table)');
  });
});
