// Real SQLite files in temp dirs for the sqlite adapter's tests: each test makes its own folder and
// database, and `cleanup()` removes every folder and stops every gateway a test file started.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import sqliteType from '../../../src/adapters/sqlite/index.js';
import type { Gateway } from '../../../src/core/gateway.js';
import type { ServiceType } from '../../../src/sdk/service-type.js';
import { gatewayFrom } from '../../helpers/gateway.js';

const dirs: string[] = [];
const gateways: Gateway[] = [];

/** A fresh temp folder, removed by cleanup(). */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'mcpeg-sqlite-test-'));
  dirs.push(dir);
  return dir;
}

/** Stops every gateway and removes every folder this test file made. */
export async function cleanup(): Promise<void> {
  await Promise.all(gateways.splice(0).map((gateway) => gateway.shutdown(2000)));
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** A started gateway from YAML, with the sqlite type registered (and any extra types). */
export async function gateway(yaml: string, extra: readonly ServiceType<unknown>[] = []): Promise<Gateway> {
  const started = await gatewayFrom(yaml, [sqliteType as ServiceType<unknown>, ...extra]);
  gateways.push(started);
  return started;
}

/** Creates a database file by running `sql` with better-sqlite3 directly (not through the gateway). */
export function createDatabase(file: string, sql: string): string {
  const db = new Database(file);
  try {
    db.exec(sql);
  } finally {
    db.close();
  }
  return file;
}

/** Runs a read on the file directly, to check what the gateway did (or did not) do. */
export function readDirect<T>(file: string, sql: string, ...params: unknown[]): T[] {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return db.prepare(sql).all(...params) as T[];
  } finally {
    db.close();
  }
}

export function checksum(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

export function listing(dir: string): string[] {
  return readdirSync(dir).sort();
}

/** The sqlite worker processes this test process runs now. */
export function workerPids(): number[] {
  let out = '';
  try {
    out = execFileSync('ps', ['-o', 'pid=,args=', '--ppid', String(process.pid)], { encoding: 'utf8' });
  } catch {
    return []; // ps exits 1 when there is no child
  }
  return out
    .split('\n')
    .filter((line) => /sqlite[-/]worker/.test(line))
    .map((line) => Number.parseInt(line.trim(), 10));
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** A small library database: authors, books (FK, unique, default, blob), editions (composite keys), a view. */
export const LIBRARY_SQL = `
  CREATE TABLE authors (id INTEGER PRIMARY KEY, name TEXT NOT NULL, born INTEGER);
  CREATE TABLE books (
    id INTEGER PRIMARY KEY,
    author_id INTEGER NOT NULL REFERENCES authors (id) ON DELETE CASCADE,
    title TEXT NOT NULL,
    isbn TEXT UNIQUE,
    price REAL DEFAULT 9.99,
    cover BLOB
  );
  CREATE INDEX books_author ON books (author_id);
  CREATE TABLE editions (
    book_id INTEGER NOT NULL,
    number INTEGER NOT NULL,
    year INTEGER NOT NULL,
    PRIMARY KEY (book_id, number),
    FOREIGN KEY (book_id) REFERENCES books
  );
  CREATE VIEW cheap_books AS SELECT title, price FROM books WHERE price < 10;
  INSERT INTO authors VALUES (1, 'Ursula K. Le Guin', 1929), (2, 'Italo Calvino', 1923), (3, 'Octavia E. Butler', 1947);
  INSERT INTO books VALUES
    (1, 1, 'A Wizard of Earthsea', '978-0553383041', 8.99, NULL),
    (2, 1, 'The Dispossessed', '978-0061054884', 12.5, NULL),
    (3, 2, 'Invisible Cities', '978-0156453806', 11.0, x'CAFE'),
    (4, 3, 'Kindred', '978-0807083697', 9.5, NULL);
  INSERT INTO editions VALUES (1, 1, 1968), (1, 2, 2012), (3, 1, 1972);
`;
