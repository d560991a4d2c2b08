// The process a sqlite service runs its statements in (one per service, started by sqlite-process.ts).
//
// Why a process and not a worker thread: better-sqlite3 is synchronous, and a statement cannot be
// interrupted from outside — `worker.terminate()` waits until sqlite3_step returns, which a runaway
// query (`WITH RECURSIVE … SELECT count(*)`) never does, and a thread stuck that way even blocks
// process.exit(). A child process can be killed: that is how a statement timeout or a cancellation
// stops a query, and the kernel releases its file locks at once.
//
// Read-only is SQLite's job, never a parser's. A read runs only if SQLite compiled it as read-only
// (sqlite3_stmt_readonly), and then on a connection opened with SQLITE_OPEN_READONLY *and*
// `PRAGMA query_only = ON`: the flag refuses writes to the file, ATTACH of a new file and journal_mode
// changes; query_only refuses TEMP tables and VACUUM INTO, which a read-only connection alone allows.
// Writes (`execute`) run on a separate writer connection, each in its own BEGIN IMMEDIATE … COMMIT.
//
// This file imports only node: built-ins and types, so it also runs transpiled on its own (see
// worker-script.ts); the driver is imported from the file URL the gateway sends in `init`. That is also
// why it is one file, longer than most: its helpers (schema description, building the demo file)
// cannot live in modules of their own.
import { existsSync, linkSync, renameSync, unlinkSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import type BetterSqlite3 from 'better-sqlite3';
import type { QueryOutcome, TableDescription, TableSummary } from '../sql/engine.js';
import type { DatabaseScript, WorkerErrorData, WorkerInit, WorkerReply, WorkerRequest, WorkerResults } from './protocol.js';

type Database = BetterSqlite3.Database;
type Statement = BetterSqlite3.Statement<unknown[]>;
type Driver = typeof BetterSqlite3;

/** A statement the caller got wrong in a way SQLite reports without a code. */
class StatementError extends Error {
  override readonly name = 'SqliteStatementError';
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}

let settings: WorkerInit | undefined;
let driver: Promise<Driver> | undefined;
let reader: Database | undefined;
let writer: Database | undefined;

watchParent();

// Requests are handled one after the other (the gateway sends one at a time anyway).
let chain: Promise<void> = Promise.resolve();
process.on('message', (message: WorkerInit | ({ id: number } & WorkerRequest)) => {
  chain = chain.then(() => receive(message));
});
process.on('disconnect', () => {
  closeAll();
  process.exit(0);
});

async function receive(message: WorkerInit | ({ id: number } & WorkerRequest)): Promise<void> {
  if ('type' in message) {
    // Loading the driver before answering makes "ready" mean ready: a statement's timeout never pays for it.
    settings = message;
    driver = import(message.driver).then((module: { default: Driver }) => module.default);
    const loaded = await driver.then(
      (Database): WorkerReply => {
        // Open now, writer first: a writer killed mid-statement left a hot journal that read-only
        // connections (this service's reader, other services on the file) cannot roll back; opening
        // the writer does. A failure here (no file yet: `create` comes next) returns with the request.
        if (existsSync(message.file)) {
          try {
            open(Database, message);
          } catch {
            // reported by the first request, which opens again
          }
        }
        return { id: 0, ok: true, result: null };
      },
      (error: unknown): WorkerReply => ({ id: 0, ok: false, error: errorData(error) }),
    );
    if (process.connected) process.send?.(loaded);
    return;
  }
  let reply: WorkerReply;
  try {
    reply = { id: message.id, ok: true, result: await handle(message) };
  } catch (error) {
    reply = { id: message.id, ok: false, error: errorData(error) };
  }
  if (process.connected) process.send?.(reply);
}

async function handle(request: WorkerRequest): Promise<WorkerResults[WorkerRequest['op']]> {
  if (!settings || !driver) throw new Error('the sqlite worker got a request before its init message');
  const Database = await driver;
  if (request.op === 'create') return create(Database, settings.file, request.script);
  const db = open(Database, settings);
  switch (request.op) {
    case 'ping':
      return { sqliteVersion: String(db.reader.prepare('SELECT sqlite_version()').pluck().get()) };
    case 'query':
      return read(db.reader, request.sql, request.params, request.maxRows, request.maxBytes);
    case 'explain':
      return explain(db.reader, request.sql, request.params, request.maxRows);
    case 'execute':
      if (!db.writer) throw new StatementError('MCPEG_SQLITE_READ_ONLY', 'this service is read-only (read_only: true)');
      return execute(db.writer, request.sql, request.params);
    case 'tables':
      return tables(db.reader);
    case 'describe':
      return describe(db.reader, request.table) ?? null;
  }
}

/** Opens the connections on first use; a writer first, so it recovers a hot journal a killed writer left. */
function open(Database: Driver, init: WorkerInit): { reader: Database; writer: Database | undefined } {
  if (reader) return { reader, writer };
  const opened: Database[] = [];
  try {
    let write: Database | undefined;
    if (!init.readOnly) {
      write = new Database(init.file, { fileMustExist: true, timeout: init.busyTimeoutMs });
      opened.push(write);
      write.pragma('foreign_keys = ON');
      write.prepare('SELECT count(*) FROM sqlite_schema').get(); // NOTADB / CORRUPT now, not at the first call
    }
    const read = new Database(init.file, { readonly: true, fileMustExist: true, timeout: init.busyTimeoutMs });
    opened.push(read);
    read.pragma('query_only = ON');
    read.prepare('SELECT count(*) FROM sqlite_schema').get();
    reader = read;
    writer = write;
    return { reader, writer };
  } catch (error) {
    for (const db of opened) db.close();
    throw error;
  }
}

function closeAll() {
  for (const db of [reader, writer]) {
    try {
      db?.close();
    } catch {
      // closing on the way out: nothing left to tell anyone
    }
  }
}

/** Prepares exactly one statement; better-sqlite3 refuses several, and we say so plainly. */
function prepareOne(db: Database, sql: string): Statement {
  try {
    return db.prepare(sql);
  } catch (error) {
    // better-sqlite3 reports this with a RangeError and no code: its message is the only signal.
    if (error instanceof RangeError && /more than one statement/.test(error.message)) {
      throw new StatementError(
        'MCPEG_SQLITE_MULTIPLE_STATEMENTS',
        'one statement per call: this SQL holds more than one (nothing was run) — send each statement in its own call',
      );
    }
    if (error instanceof RangeError && /no statements/.test(error.message)) {
      throw new StatementError('MCPEG_SQLITE_NO_STATEMENT', 'the SQL holds no statement (only whitespace or comments)');
    }
    throw error;
  }
}

/**
 * Runs one statement on the read-only connection. Connection settings a previous statement may have
 * changed (`PRAGMA query_only = OFF`, `locking_mode = EXCLUSIVE`) are reset first, and a transaction it
 * opened (`BEGIN`, `SAVEPOINT`) is rolled back after, so no call leaves state for the next.
 *
 * ATTACH is undone, and refused: an attached file would let the next call read any SQLite file the
 * gateway can read. (SQLite opens it read-only, so it could not be written; one statement per call means
 * the call that attaches cannot also read it.) And a file the statement named but SQLite could not open
 * (SQLITE_CANTOPEN) is the statement's fault, not the service's, when the service's own file still reads.
 */
function onReader<T>(db: Database, run: () => T): T {
  db.pragma('query_only = ON');
  db.pragma('locking_mode = NORMAL');
  let outcome: { ok: true; value: T } | { ok: false; error: unknown };
  try {
    outcome = { ok: true, value: run() };
  } catch (error) {
    outcome = { ok: false, error };
  }
  if (db.inTransaction) db.exec('ROLLBACK');
  const attached = db.prepare("SELECT name FROM pragma_database_list WHERE name NOT IN ('main', 'temp')").pluck().all() as string[];
  for (const name of attached) db.exec(`DETACH DATABASE ${quoteName(name)}`);
  if (!outcome.ok) {
    const { error } = outcome;
    if ((error as { code?: unknown }).code === 'SQLITE_CANTOPEN' && ownFileReads(db)) {
      throw new StatementError('MCPEG_SQLITE_STATEMENT_CANTOPEN', (error as Error).message);
    }
    throw error;
  }
  if (attached.length > 0) {
    throw new StatementError(
      'MCPEG_SQLITE_ATTACH_REFUSED',
      "ATTACH is not available through query: each call reads only this service's own database file (the attachment was undone)",
    );
  }
  return outcome.value;
}

function ownFileReads(db: Database): boolean {
  try {
    db.prepare('SELECT count(*) FROM sqlite_schema').get();
    return true;
  } catch {
    return false;
  }
}

function read(db: Database, sql: string, params: readonly unknown[], maxRows: number, maxBytes: number): QueryOutcome {
  return onReader(db, () => {
    const statement = prepareOne(db, sql);
    refuseWrites(statement);
    if (!statement.reader) {
      statement.run(...bind(params)); // a connection setting, BEGIN, ATTACH of an existing file: nothing to return
      return { columns: [], rows: [], truncated: false };
    }
    statement.raw(true).safeIntegers(true);
    const declared = statement.columns();
    /** The storage class of each column's first non-null value, for columns without a declared type. */
    const seen: (string | undefined)[] = declared.map((column) => column.type ?? undefined);
    const rows: unknown[][] = [];
    let bytes = 0;
    let truncated = false;
    for (const row of statement.iterate(...bind(params)) as Iterable<unknown[]>) {
      // Stop early on bytes too, so a huge result never crosses the process boundary; the service
      // cuts it exactly at max_bytes.
      if (rows.length >= maxRows || bytes > maxBytes) {
        truncated = true;
        break;
      }
      row.forEach((value, index) => {
        if (seen[index] === undefined && value !== null) seen[index] = storageClass(value);
      });
      const cells = row.map(cell);
      bytes += approximateSize(cells);
      rows.push(cells);
    }
    const columns = declared.map((column, index) => ({ name: column.name, type: seen[index] ?? 'ANY' }));
    return { columns, rows, truncated };
  });
}

/**
 * The first of the two read-only layers, both SQLite's: a statement SQLite compiled as a write
 * (sqlite3_stmt_readonly is false) is not run at all. The connection refuses such statements anyway —
 * except `VACUUM INTO`, which creates its target file before the refusal; this check keeps even that
 * from happening.
 */
function refuseWrites(statement: Statement): void {
  if (statement.readonly) return;
  const hint = settings?.readOnly ? 'this service is read-only (read_only: true)' : 'use execute for writes';
  throw new StatementError('MCPEG_SQLITE_WRITE_REFUSED', `attempt to write a readonly database: SQLite compiles this statement as a write, and query only reads — ${hint}`);
}

/** EXPLAIN QUERY PLAN on the read-only connection: the plan, indented by depth; the statement never runs. */
function explain(db: Database, sql: string, params: readonly unknown[], maxRows: number): QueryOutcome {
  return onReader(db, () => {
    const statement = prepareOne(db, `EXPLAIN QUERY PLAN ${sql}`);
    const steps = statement.raw(true).all(...bind(params)) as [number, number, number, string][];
    const depth = new Map<number, number>([[0, -1]]);
    const rows = steps.slice(0, maxRows).map(([id, parent, , detail]) => {
      const level = (depth.get(parent) ?? -1) + 1;
      depth.set(id, level);
      return [id, parent, `${'  '.repeat(level)}${detail}`];
    });
    const columns = [
      { name: 'id', type: 'INTEGER' },
      { name: 'parent', type: 'INTEGER' },
      { name: 'detail', type: 'TEXT' },
    ];
    return { columns, rows, truncated: steps.length > maxRows };
  });
}

/** One write or DDL statement in its own transaction: committed if it succeeds, rolled back if not. */
function execute(db: Database, sql: string, params: readonly unknown[]): WorkerResults['execute'] {
  const statement = prepareOne(db, sql);
  const lastRowid = db.prepare('SELECT last_insert_rowid()').pluck().safeIntegers(true);
  const before = lastRowid.get();
  db.exec('BEGIN IMMEDIATE');
  try {
    const info = statement.run(...bind(params));
    if (!db.inTransaction) {
      throw new StatementError(
        'MCPEG_SQLITE_TRANSACTION_CONTROL',
        'execute runs each statement in its own transaction, so BEGIN, COMMIT, ROLLBACK and END cannot be used through it (nothing was changed)',
      );
    }
    db.exec('COMMIT');
    const after = lastRowid.get() as bigint;
    return { affectedRows: info.changes, ...(after !== before ? { lastInsertId: integer(after) } : {}) };
  } catch (error) {
    if (db.inTransaction) db.exec('ROLLBACK');
    throw error;
  }
}

function tables(db: Database): TableSummary[] {
  return onReader(db, () =>
    (
      db
        .prepare("SELECT name, type FROM sqlite_schema WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name")
        .all() as { name: string; type: 'table' | 'view' }[]
    ).map((row) => ({ name: row.name, type: row.type })),
  );
}

interface ColumnInfo {
  name: string;
  type: string;
  notnull: number;
  dflt_value: string | null;
  pk: number;
  hidden: number;
}

/** Columns, keys and indexes through SQLite's table-valued pragmas, the table name always bound. */
function describe(db: Database, requested: string): TableDescription | undefined {
  return onReader(db, () => {
    const find = db.prepare("SELECT name, type FROM sqlite_schema WHERE type IN ('table', 'view') AND name = ?");
    let found = find.get(requested) as { name: string; type: string } | undefined;
    if (!found && /^main\./i.test(requested)) found = find.get(requested.slice(5)) as typeof found;
    if (!found) return undefined;
    const name = found.name;
    const all = db.prepare('SELECT name, type, "notnull", dflt_value, pk, hidden FROM pragma_table_xinfo(?)').all(name) as ColumnInfo[];
    const columns = all.filter((column) => column.hidden !== 1); // 1: hidden column of a virtual table
    const primary = columns.filter((column) => column.pk > 0).sort((a, b) => a.pk - b.pk);
    const rowidAlias = primary.length === 1 && primary[0]!.type.toUpperCase() === 'INTEGER';
    const foreign = db.prepare('SELECT id, seq, "table", "from", "to" FROM pragma_foreign_key_list(?) ORDER BY id, seq').all(name) as {
      id: number;
      table: string;
      from: string;
      to: string | null;
    }[];
    const byId = new Map<number, typeof foreign>();
    for (const key of foreign) byId.set(key.id, [...(byId.get(key.id) ?? []), key]);
    const foreignKeys = [...byId.values()].map((parts) => {
      const target = parts[0]!.table;
      // `REFERENCES t` without columns means t's primary key.
      const targetKey = () => db.prepare('SELECT name FROM pragma_table_info(?) WHERE pk > 0 ORDER BY pk').pluck().all(target) as string[];
      const references = parts.every((part) => part.to !== null) ? parts.map((part) => part.to!) : targetKey();
      return { columns: parts.map((part) => part.from), table: target, references };
    });
    const indexList = db.prepare('SELECT name, "unique" FROM pragma_index_list(?) ORDER BY name').all(name) as { name: string; unique: number }[];
    const indexes = indexList.map((index) => ({
      name: index.name,
      columns: (db.prepare('SELECT name FROM pragma_index_info(?) ORDER BY seqno').pluck().all(index.name) as (string | null)[]).map(
        (column) => column ?? '(expression)',
      ),
      unique: index.unique === 1,
    }));
    return {
      name,
      columns: columns.map((column) => ({
        name: column.name,
        type: column.type,
        nullable: column.notnull === 0 && !(rowidAlias && column.pk > 0),
        default: column.dflt_value,
      })),
      primaryKey: primary.map((column) => column.name),
      foreignKeys,
      indexes,
    };
  });
}

/**
 * Builds a database into a temp file next to `file` and moves it into place only when complete, so a
 * reader never sees half of it. link() fails when the file appeared meanwhile (another gateway started
 * at the same moment and won): then its copy is kept and ours dropped, never overwritten.
 */
function create(Database: Driver, file: string, script: DatabaseScript): null {
  const temp = `${file}.${process.pid}-${Math.random().toString(36).slice(2, 10)}.tmp`;
  try {
    const db = new Database(temp);
    try {
      db.transaction(() => {
        for (const sql of script.before) db.exec(sql);
        for (const table of script.tables) {
          const names = table.columns.map(quoteName).join(', ');
          const insert = db.prepare(`INSERT INTO ${quoteName(table.name)} (${names}) VALUES (${table.columns.map(() => '?').join(', ')})`);
          for (const row of table.rows) insert.run(...bind(row));
        }
        for (const sql of script.after) db.exec(sql);
      })();
    } finally {
      db.close();
    }
    try {
      linkSync(temp, file);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') return null;
      // A file system without hard links: rename, after checking no one won the race meanwhile.
      if (existsSync(file)) return null;
      renameSync(temp, file);
    }
    return null;
  } finally {
    try {
      unlinkSync(temp);
    } catch {
      // renamed into place, or never created
    }
  }
}

/** Values as SQLite binds them: integers as INTEGER (not REAL), booleans as 1/0, objects as JSON text. */
function bind(params: readonly unknown[]): unknown[] {
  return params.map((value) => {
    if (value === undefined || value === null) return null;
    if (typeof value === 'boolean') return value ? 1n : 0n;
    if (typeof value === 'number') return Number.isSafeInteger(value) ? BigInt(value) : value;
    if (typeof value === 'string' || typeof value === 'bigint' || value instanceof Uint8Array) return value;
    return JSON.stringify(value);
  });
}

/** Integers come out as bigint (safeIntegers) so none loses precision; those that fit a number become one. */
function cell(value: unknown): unknown {
  return typeof value === 'bigint' ? integer(value) : value;
}

function integer(value: bigint): number | string {
  return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value.toString();
}

/** SQLite's storage class of a value as better-sqlite3 returns it (integers as bigint: safeIntegers). */
function storageClass(value: unknown): string {
  if (typeof value === 'bigint') return 'INTEGER';
  if (typeof value === 'number') return 'REAL';
  if (typeof value === 'string') return 'TEXT';
  return 'BLOB';
}

/** Roughly the length of the row as JSON (blobs as base64): enough to stop fetching near max_bytes. */
function approximateSize(cells: readonly unknown[]): number {
  let size = 2;
  for (const value of cells) {
    if (value === null || value === undefined) size += 5;
    else if (typeof value === 'string') size += value.length + 3;
    else if (value instanceof Uint8Array) size += Math.ceil(value.length / 3) * 4 + 3;
    else size += String(value).length + 1;
  }
  return size;
}

function quoteName(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

function errorData(error: unknown): WorkerErrorData {
  if (!(error instanceof Error)) return { name: 'Error', message: String(error) };
  const code = (error as { code?: unknown }).code;
  return { name: error.name, message: error.message, ...(typeof code === 'string' ? { code } : {}) };
}

/**
 * Exits when the gateway is gone. 'disconnect' covers a gateway that exits while this process is idle;
 * a thread of its own covers the one that dies while a statement runs here (this thread is then inside
 * SQLite and handles no events): it sees the parent change and kills this process.
 */
function watchParent() {
  const code = `
    const parent = ${process.ppid};
    setInterval(() => { if (process.ppid !== parent) process.kill(process.pid, 'SIGKILL'); }, 1000);
  `;
  new Worker(code, { eval: true }).unref();
}
