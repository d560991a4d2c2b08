import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import { GatewayError, type Logger } from '../../sdk/index.js';
import type { MemoryConfig, MemoryFiles } from './config.js';
import { ExportFormatError, type KvRecord, type MemoryDump, parseExport } from './export-format.js';
import { SCHEMA_VERSION, ensureTables, markInitialized } from './schema.js';
import { loadDump } from './transfer.js';

export type DatabaseConstructor = typeof BetterSqlite3;

/** What opening found: the connection, and whether this start created the store (and imported what). */
export interface OpenedStore {
  readonly db: BetterSqlite3.Database;
  readonly created: boolean;
  readonly imported: { entities: number; relations: number; kv: number } | undefined;
}

/**
 * Opens (creating when missing) the SQLite store of a memory service: WAL journal, the configured
 * `synchronous` level, foreign keys, a busy timeout for other processes; an existing file must pass
 * `PRAGMA quick_check`. On the store's first start, an existing JSON file at `storage_path` (a
 * server-memory JSONL file or an MCPEG export) is imported in the same transaction that creates the
 * tables, so a crash during it leaves a store that imports again on the next start.
 */
export async function openStore(options: {
  Database: DatabaseConstructor;
  files: MemoryFiles;
  config: MemoryConfig;
  service: string;
  logger: Logger;
  /** Checks an imported entry against its namespace's schema; throws to refuse the import. */
  validate?: (entry: KvRecord, index: number) => void;
}): Promise<OpenedStore> {
  const { Database, files, config, service, logger } = options;
  const unreachable = (message: string, cause?: unknown) =>
    new GatewayError('BACKEND_UNREACHABLE', message, { service, cause, data: { database: files.database } });
  try {
    await mkdir(dirname(files.database), { recursive: true });
  } catch (error) {
    throw unreachable(`cannot create the folder of its database ${files.database}: ${(error as Error).message} — check storage_path and permissions`, error);
  }
  const existed = existsSync(files.database);
  let db: BetterSqlite3.Database;
  try {
    db = new Database(files.database, { timeout: config.busy_timeout });
  } catch (error) {
    throw unreachable(`cannot open its database ${files.database}: ${(error as Error).message} — check storage_path and permissions`, error);
  }
  try {
    configure(db, config);
    if (existed) {
      const check = db.pragma('quick_check', { simple: true });
      if (check !== 'ok') {
        throw new GatewayError(
          'BACKEND_ERROR',
          `its database ${files.database} failed SQLite's integrity check (${String(check)}): restore a snapshot from ${files.backups} ` +
            `(stop the gateway, copy the newest good snapshot over the database file, delete its -wal and -shm files) or move the file away to start from the JSON export`,
          { service, data: { database: files.database } },
        );
      }
    }
    let dump: MemoryDump | undefined;
    if (!isInitialized(db) && existsSync(files.jsonExport)) dump = await readImport(files.jsonExport, service);
    const initialize = db.transaction(() => {
      const found = ensureTables(db);
      if (found !== undefined) {
        if (found > SCHEMA_VERSION) {
          throw new GatewayError(
            'BACKEND_ERROR',
            `its database ${files.database} was written by a newer MCPEG (schema ${found}; this one knows up to ${SCHEMA_VERSION}): upgrade MCPEG, or point storage_path elsewhere`,
            { service },
          );
        }
        return { created: false, imported: undefined };
      }
      const imported = dump ? loadDump(db, dump, { mode: 'merge', now: Date.now(), ...(options.validate ? { validate: options.validate } : {}) }) : undefined;
      markInitialized(db, imported ? { imported_from: files.jsonExport } : {});
      return { created: true, imported };
    });
    let result: ReturnType<typeof initialize>;
    try {
      result = initialize.immediate();
    } catch (error) {
      if (!(error instanceof GatewayError && error.code === 'INVALID_ARGUMENTS')) throw error;
      throw new GatewayError(
        'BACKEND_ERROR',
        `the existing file ${files.jsonExport} is imported when the store is created, but ${error.message.replace(/^\[[^\]]*\] /, '')} — fix the entry or the namespace's schema, or move the file away to start empty`,
        { service, cause: error },
      );
    }
    if (result.imported) {
      logger.info({ file: files.jsonExport, ...result.imported, skippedLines: dump?.skipped ?? 0 }, 'imported the existing JSON file into the new memory store');
    }
    return { db, ...result };
  } catch (error) {
    db.close();
    if (error instanceof GatewayError) throw error;
    throw unreachable(`cannot use its database ${files.database}: ${(error as Error).message}`, error);
  }
}

/** The pragmas every connection to a store gets (also the connections that open snapshots). */
export function configure(db: BetterSqlite3.Database, config: Pick<MemoryConfig, 'synchronous' | 'busy_timeout'>): void {
  db.pragma(`busy_timeout = ${Math.trunc(config.busy_timeout)}`);
  const mode = db.pragma('journal_mode = WAL', { simple: true });
  if (mode !== 'wal') throw new Error(`SQLite would not switch to WAL mode (it stayed in "${String(mode)}"); is the file on a network file system?`);
  // WAL + NORMAL: a commit is in the WAL (the OS's cache) before it returns, so a killed process loses
  // nothing; FULL also fsyncs the WAL on every commit, so a power loss loses nothing either.
  db.pragma(`synchronous = ${config.synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
  db.pragma('foreign_keys = ON');
}

function isInitialized(db: BetterSqlite3.Database): boolean {
  const table = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'").get();
  return table !== undefined && db.prepare("SELECT 1 FROM meta WHERE key = 'schema_version'").get() !== undefined;
}

async function readImport(file: string, service: string): Promise<MemoryDump> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new GatewayError('BACKEND_UNREACHABLE', `cannot read ${file} to import it into the new store: ${(error as Error).message}`, { service, cause: error });
  }
  try {
    return parseExport(text);
  } catch (error) {
    if (!(error instanceof ExportFormatError)) throw error;
    throw new GatewayError(
      'BACKEND_ERROR',
      `the existing file ${file} is imported when the store is created, but it cannot be read: ${error.message} — fix the file, or move it away to start empty`,
      { service, cause: error },
    );
  }
}
