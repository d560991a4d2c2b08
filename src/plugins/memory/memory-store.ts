import { stat } from 'node:fs/promises';
import type BetterSqlite3 from 'better-sqlite3';
import { GatewayError, type Logger } from '../../sdk/index.js';
import { writeFileAtomic } from './atomic-file.js';
import type { MemoryConfig, MemoryFiles } from './config.js';
import { type DatabaseConstructor, openStore } from './database.js';
import { exportLines, type MemoryDump } from './export-format.js';
import { GraphStore } from './graph-store.js';
import { KvStore } from './kv-store.js';
import type { NamespacePolicy } from './namespace-policy.js';
import { Snapshots, type SnapshotInfo, checkSnapshot, restoreInto } from './snapshots.js';
import { type LoadResult, dumpStore, loadDump } from './transfer.js';

export interface ExportResult {
  file: string;
  bytes: number;
  entities: number;
  relations: number;
  kv: number;
}

/**
 * One open memory store: the SQLite connection with its key–value and graph views, the JSON export
 * and the snapshots. All statements run synchronously on the gateway's thread — they are our own,
 * indexed, and short — so calls never interleave inside a transaction.
 */
export class MemoryStore {
  readonly kv: KvStore;
  readonly graph: GraphStore;
  readonly snapshots: Snapshots;
  readonly files: MemoryFiles;
  readonly #db: BetterSqlite3.Database;
  readonly #Database: DatabaseConstructor;
  readonly #config: MemoryConfig;
  readonly #service: string;
  readonly #now: () => number;
  readonly #policy: NamespacePolicy;
  /** Exports and snapshots under way: close() waits for them. */
  readonly #pending = new Set<Promise<unknown>>();

  private constructor(options: {
    db: BetterSqlite3.Database;
    Database: DatabaseConstructor;
    files: MemoryFiles;
    config: MemoryConfig;
    service: string;
    now: () => number;
    policy: NamespacePolicy;
  }) {
    this.#db = options.db;
    this.#Database = options.Database;
    this.files = options.files;
    this.#config = options.config;
    this.#service = options.service;
    this.#now = options.now;
    this.#policy = options.policy;
    this.kv = new KvStore(this.#db, options.config.cache_size, options.now);
    this.graph = new GraphStore(this.#db);
    this.snapshots = new Snapshots(options.files.backups, options.files.database);
  }

  static async open(options: {
    Database: DatabaseConstructor;
    files: MemoryFiles;
    config: MemoryConfig;
    service: string;
    logger: Logger;
    now: () => number;
    policy: NamespacePolicy;
  }): Promise<MemoryStore> {
    const { db } = await openStore({
      ...options,
      validate: (entry, index) => options.policy.validate(entry.namespace, JSON.parse(entry.json), `kv entry ${index + 1} (key ${JSON.stringify(entry.key)})`),
    });
    return new MemoryStore({ ...options, db });
  }

  /** Writes the JSON export to its file (atomically); returns what it holds. */
  exportJson(signal?: AbortSignal): Promise<ExportResult> {
    return this.#track(async () => {
      const dump = dumpStore(this.#db, this.#now());
      const bytes = await writeFileAtomic(this.files.jsonExport, exportLines(dump, new Date(this.#now())), signal);
      return { file: this.files.jsonExport, bytes, entities: dump.entities.length, relations: dump.relations.length, kv: dump.kv.length };
    });
  }

  /** Imports a dump in one transaction (values checked against their namespace's schema first). */
  importDump(dump: Pick<MemoryDump, 'entities' | 'relations' | 'kv'>, mode: 'merge' | 'replace'): LoadResult {
    for (const entry of dump.kv) this.#policy.check(entry.namespace);
    try {
      return this.#db
        .transaction(() =>
          loadDump(this.#db, dump, {
            mode,
            now: this.#now(),
            validate: (entry, index) => this.#policy.validate(entry.namespace, JSON.parse(entry.json), `kv entry ${index + 1} (key ${JSON.stringify(entry.key)})`),
          }),
        )
        .immediate();
    } finally {
      this.kv.invalidate();
      this.graph.invalidate();
    }
  }

  /** Takes a snapshot now and rotates old ones away. */
  backup(progress?: (done: number, total: number) => void): Promise<SnapshotInfo> {
    return this.#track(() => this.snapshots.take(this.#db, this.#config.backup_keep, progress));
  }

  /**
   * Replaces the store's contents with a snapshot's, after taking a snapshot of the current contents
   * (named in the result) so the restore itself can be undone.
   */
  async restore(name: string, progress?: (done: number, total: number) => void): Promise<{ restored: string; safety: SnapshotInfo; rows: Record<string, number> }> {
    const file = await this.snapshots.path(name);
    if (!file) {
      throw new GatewayError('INVALID_ARGUMENTS', `there is no snapshot named ${JSON.stringify(name)} in ${this.snapshots.folder}: memory_backups lists them`, {
        service: this.#service,
      });
    }
    const problem = checkSnapshot(this.#Database, file);
    if (problem) {
      throw new GatewayError('BACKEND_ERROR', `the snapshot ${name} cannot be restored: ${problem}. Nothing was changed; pick another snapshot (memory_backups)`, {
        service: this.#service,
      });
    }
    const safety = await this.#track(() => this.snapshots.take(this.#db, this.#config.backup_keep, progress, name));
    try {
      const rows = restoreInto(this.#db, file);
      return { restored: name, safety, rows };
    } finally {
      this.kv.invalidate();
      this.graph.invalidate();
    }
  }

  /** Sizes of the files behind the store, for stats. */
  async fileSizes(): Promise<Record<string, number | null>> {
    const size = async (file: string) => (await stat(file).catch(() => undefined))?.size ?? null;
    return {
      database: await size(this.files.database),
      wal: await size(`${this.files.database}-wal`),
      jsonExport: await size(this.files.jsonExport),
    };
  }

  ping(): void {
    this.#db.prepare('SELECT 1').get();
  }

  /** Waits for exports and snapshots under way, then closes the connection (SQLite checkpoints the WAL). */
  async close(): Promise<void> {
    await Promise.allSettled([...this.#pending]);
    if (this.#db.open) this.#db.close();
  }

  #track<T>(work: () => Promise<T>): Promise<T> {
    const running = work();
    this.#pending.add(running);
    const settle = () => this.#pending.delete(running);
    running.then(settle, settle);
    return running;
  }
}
