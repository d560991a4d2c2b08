// Read-only is enforced by SQLite, not by parsing SQL: the query tool of a read_only: true service, and
// the query tool of a read_only: false service (which has a writer connection too), run every attempt of
// the corpus on a connection opened SQLITE_OPEN_READONLY with query_only = ON. Every write fails; the
// data, the file's bytes and the folder around it are unchanged. explain never runs what it plans.
import { statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../../../src/core/gateway.js';
import { scope, text } from '../../helpers/scope.js';
import { CORPUS_SCHEMA, READ_ONLY_CORPUS } from './read-only-corpus.js';
import { checksum, cleanup, createDatabase, gateway as startGateway, listing, readDirect, tempDir } from './sqlite-fixture.js';

interface Snapshot {
  checksum: string;
  files: string[];
  rows: unknown[];
  schema: unknown[];
  pragmas: unknown[];
}

describe('sqlite service type: the read-only bypass corpus', () => {
  let gateway: Gateway;
  let dir: string;
  let file: string;
  let before: Snapshot;
  const snapshot = (): Snapshot => ({
    checksum: checksum(file),
    files: listing(dir),
    rows: readDirect(file, 'SELECT * FROM items ORDER BY id'),
    schema: readDirect(file, 'SELECT type, name, sql FROM sqlite_schema ORDER BY name'),
    pragmas: readDirect(file, 'SELECT (SELECT user_version FROM pragma_user_version) AS v, (SELECT journal_mode FROM pragma_journal_mode) AS j'),
  });

  beforeAll(async () => {
    dir = tempDir();
    file = createDatabase(join(dir, 'guarded.db'), CORPUS_SCHEMA);
    before = snapshot();
    gateway = await startGateway(`services:
  locked:
    driver: sqlite
    path: ${file}
  writable:
    driver: sqlite
    path: ${file}
    read_only: false
`);
  });
  afterAll(cleanup);

  it('has at least 30 attempts', () => {
    expect(READ_ONLY_CORPUS.length).toBeGreaterThanOrEqual(30);
    expect(new Set(READ_ONLY_CORPUS.map((attempt) => attempt.name)).size).toBe(READ_ONLY_CORPUS.length);
  });

  for (const service of ['locked', 'writable'] as const) {
    it(`${service}: every attempt through query fails, and nothing changes`, async () => {
      const succeeded: string[] = [];
      for (const attempt of READ_ONLY_CORPUS) {
        const write = attempt.write ?? attempt.steps.length - 1;
        for (const [index, step] of attempt.steps.entries()) {
          const result = await gateway.dispatcher.callTool(`${service}__query`, { sql: step.replaceAll('{dir}', dir) }, scope());
          if (index === write && !result.isError) succeeded.push(`${attempt.name}: ${text(result)}`);
          if (index === write) expect(text(result), attempt.name).toMatch(new RegExp(`^\\[${service}\\] `));
        }
      }
      expect(succeeded, 'attempts that wrote').toEqual([]);
      expect(snapshot()).toEqual(before);
      // The service is healthy after all that, and reads still work.
      const read = await gateway.dispatcher.callTool(`${service}__query`, { sql: 'SELECT name FROM items ORDER BY id' }, scope());
      expect(text(read)).toBe('name\nalpha\nbeta\n(2 rows)');
      expect(gateway.host(service)?.status().breaker).toBe('closed');
    });

    it(`${service}: explain plans the attempts without running any`, async () => {
      for (const attempt of READ_ONLY_CORPUS) {
        for (const step of attempt.steps) await gateway.dispatcher.callTool(`${service}__explain`, { sql: step.replaceAll('{dir}', dir) }, scope());
      }
      expect(snapshot()).toEqual(before);
    });
  }

  it('the reasons are SQLite’s own: a statement it compiles as a write, a file it cannot open', async () => {
    const insert = await gateway.dispatcher.callTool('writable__query', { sql: "INSERT INTO items (name) VALUES ('x')" }, scope());
    expect(text(insert)).toBe(
      '[writable] attempt to write a readonly database: SQLite compiles this statement as a write, and query only reads — use execute for writes',
    );
    const temp = await gateway.dispatcher.callTool('locked__query', { sql: 'CREATE TEMP TABLE t (a)' }, scope());
    expect(text(temp)).toContain('this service is read-only (read_only: true)');
    // ATTACH of a file that does not exist: SQLite cannot create it; the caller's mistake, not an outage.
    const attach = await gateway.dispatcher.callTool('locked__query', { sql: `ATTACH DATABASE '${dir}/new.db' AS n` }, scope());
    expect(text(attach)).toBe(`[locked] unable to open database: ${dir}/new.db`);
    expect(attach._meta?.['dev.mcpeg/error']).toBeUndefined();
    // ATTACH of a file that exists is undone at once: query reads the service's own file and nothing else.
    const other = createDatabase(join(tempDir(), 'secret.db'), "CREATE TABLE secrets (s TEXT); INSERT INTO secrets VALUES ('hunter2');");
    const attached = await gateway.dispatcher.callTool('locked__query', { sql: `ATTACH DATABASE '${other}' AS s` }, scope());
    expect(text(attached)).toBe(
      "[locked] ATTACH is not available through query: each call reads only this service's own database file (the attachment was undone)",
    );
    const leak = await gateway.dispatcher.callTool('locked__query', { sql: 'SELECT * FROM s.secrets' }, scope());
    expect(text(leak)).toBe('[locked] no such table: s.secrets');
    // The writable service still writes, through execute.
    const written = await gateway.dispatcher.callTool('writable__execute', { sql: "UPDATE items SET name = 'gamma' WHERE id = 2" }, scope());
    expect(text(written)).toBe('1 row(s) affected');
    expect(readDirect(file, 'SELECT name FROM items WHERE id = 2')).toEqual([{ name: 'gamma' }]);
  });
});

// The second layer alone: a connection opened as the worker opens its reader (SQLITE_OPEN_READONLY,
// query_only = ON), running the corpus with no compiled-statement check. SQLite refuses every write;
// the one side effect is the empty target file VACUUM INTO creates before it fails — which is why the
// query tool also refuses statements SQLite compiles as writes. This pins the SQLite behaviour the
// design relies on, so an upgrade of better-sqlite3 that changes it fails here.
describe('sqlite: what the read-only connection alone refuses', () => {
  afterAll(cleanup);

  it('every write of the corpus fails on it; only VACUUM INTO leaves a (empty) file', () => {
    const dir = tempDir();
    const file = createDatabase(join(dir, 'guarded.db'), CORPUS_SCHEMA);
    const data = () => readDirect(file, 'SELECT * FROM items ORDER BY id');
    const rows = data();
    const sum = checksum(file);
    const db = new Database(file, { readonly: true, fileMustExist: true });
    const wrote: string[] = [];
    try {
      for (const attempt of READ_ONLY_CORPUS) {
        const write = attempt.write ?? attempt.steps.length - 1;
        for (const [index, step] of attempt.steps.entries()) {
          db.pragma('query_only = ON');
          try {
            const statement = db.prepare(step.replaceAll('{dir}', dir));
            if (statement.reader) statement.all();
            else statement.run();
            if (index === write) wrote.push(attempt.name);
          } catch {
            // refused: what we want
          } finally {
            if (db.inTransaction) db.exec('ROLLBACK');
          }
        }
      }
    } finally {
      db.close();
    }
    expect(wrote).toEqual([]);
    expect(data()).toEqual(rows);
    expect(checksum(file)).toBe(sum);
    expect(listing(dir)).toEqual(['copy.db', 'guarded.db']);
    expect(statSync(join(dir, 'copy.db')).size).toBe(0);
  });
});
