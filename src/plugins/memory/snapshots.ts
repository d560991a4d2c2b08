import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import type { DatabaseConstructor } from './database.js';
import { syncFolder } from './atomic-file.js';
import { DATA_TABLES, SCHEMA_VERSION } from './schema.js';

/** A snapshot file: `<store>-<UTC time>-<random>.sqlite`; the name sorts by time. */
const SNAPSHOT_NAME = /^[A-Za-z0-9_.-]+-\d{8}T\d{6}\d{3}Z-[0-9a-f]{6}\.sqlite$/;

export interface SnapshotInfo {
  readonly name: string;
  readonly bytes: number;
  readonly takenAt: string;
}

/**
 * Snapshots of a store in one folder: taken with SQLite's online backup API (readers and writers go on
 * meanwhile), written under a temporary name, fsynced and renamed, so a snapshot file is complete or
 * absent; the oldest beyond `keep` are removed.
 */
export class Snapshots {
  readonly #folder: string;
  readonly #stem: string;

  constructor(folder: string, database: string) {
    this.#folder = folder;
    this.#stem = basename(database).replace(/\.[^.]*$/, '').replace(/[^A-Za-z0-9_.-]/g, '_') || 'memory';
  }

  get folder(): string {
    return this.#folder;
  }

  /**
   * Takes a snapshot now; returns its name. `progress` gets (pages done, pages in all). Rotation never
   * removes `protect` (the snapshot a restore is about to read).
   */
  async take(db: BetterSqlite3.Database, keep: number, progress?: (done: number, total: number) => void, protect?: string): Promise<SnapshotInfo> {
    await mkdir(this.#folder, { recursive: true });
    const now = new Date();
    const stamp = now.toISOString().replace(/[-:]/g, '').replace('.', '');
    const name = `${this.#stem}-${stamp}-${randomBytes(3).toString('hex')}.sqlite`;
    const temp = join(this.#folder, `.${name}.tmp`);
    try {
      await db.backup(temp, {
        progress: ({ totalPages, remainingPages }) => {
          progress?.(totalPages - remainingPages, totalPages);
          return 256; // pages per step: the event loop gets a turn between steps
        },
      });
      const handle = await open(temp, 'r+');
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(temp, join(this.#folder, name));
      await syncFolder(this.#folder);
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
    await this.#rotate(keep, protect);
    const { size } = await stat(join(this.#folder, name));
    return { name, bytes: size, takenAt: now.toISOString() };
  }

  /** The snapshots, newest first. */
  async list(): Promise<SnapshotInfo[]> {
    let names: string[];
    try {
      names = await readdir(this.#folder);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    const snapshots = names.filter((name) => SNAPSHOT_NAME.test(name)).sort().reverse();
    return Promise.all(
      snapshots.map(async (name) => {
        const { size } = await stat(join(this.#folder, name));
        return { name, bytes: size, takenAt: takenAt(name) };
      }),
    );
  }

  /** The path of a snapshot named exactly as `list()` shows it, else undefined (never a path from outside the folder). */
  async path(name: string): Promise<string | undefined> {
    if (!SNAPSHOT_NAME.test(name)) return undefined;
    return (await this.list()).some((snapshot) => snapshot.name === name) ? join(this.#folder, name) : undefined;
  }

  async #rotate(keep: number, protect?: string): Promise<void> {
    const all = await this.list();
    for (const old of all.slice(keep)) if (old.name !== protect) await rm(join(this.#folder, old.name), { force: true });
  }
}

/** What is wrong with a snapshot file as a source for a restore, or undefined when it is usable. */
export function checkSnapshot(Database: DatabaseConstructor, file: string): string | undefined {
  let db: BetterSqlite3.Database | undefined;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
    const check = db.pragma('quick_check', { simple: true });
    if (check !== 'ok') return `it fails SQLite's integrity check (${String(check)})`;
    const version = db.prepare<[], string>("SELECT value FROM meta WHERE key = 'schema_version'").pluck().get();
    if (version === undefined) return 'it is not a memory store (no schema version)';
    if (Number(version) > SCHEMA_VERSION) return `it was written by a newer MCPEG (schema ${version})`;
    return undefined;
  } catch (error) {
    return `it cannot be opened: ${(error as Error).message}`;
  } finally {
    db?.close();
  }
}

/**
 * Replaces the contents of the live store with a snapshot's, in one transaction: other connections
 * (other processes) see the old contents or the new, never a mix, and a crash keeps the old.
 */
export function restoreInto(db: BetterSqlite3.Database, snapshotFile: string): Record<(typeof DATA_TABLES)[number], number> {
  // ATTACH would create a missing file as an empty database: the file must still be there.
  if (!existsSync(snapshotFile)) throw new Error(`the snapshot ${snapshotFile} disappeared before it could be read`);
  db.prepare('ATTACH DATABASE ? AS snapshot').run(snapshotFile);
  try {
    return db.transaction(() => {
      db.exec('DELETE FROM main.kv; DELETE FROM main.observations; DELETE FROM main.relations; DELETE FROM main.entities;');
      const counts = {} as Record<(typeof DATA_TABLES)[number], number>;
      for (const table of DATA_TABLES) counts[table] = db.prepare(`INSERT INTO main.${table} SELECT * FROM snapshot.${table}`).run().changes;
      return counts;
    }).immediate();
  } finally {
    db.exec('DETACH DATABASE snapshot');
  }
}

function takenAt(name: string): string {
  const match = /-(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(\d{3})Z-/.exec(name);
  return match ? `${match[1]}-${match[2]}-${match[3]}T${match[4]}:${match[5]}:${match[6]}.${match[7]}Z` : '';
}
