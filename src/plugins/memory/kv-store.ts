import type BetterSqlite3 from 'better-sqlite3';
import { ByteLruCache } from '../../sdk/index.js';
import { prefixUpperBound } from './keys.js';

/** One live key–value entry: the value as stored JSON text, times in ms since 1970. */
export interface KvEntry {
  readonly json: string;
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly expiresAt: number | null;
}

export interface KvListItem extends KvEntry {
  readonly key: string;
}

const LIVE = '(expires_at IS NULL OR expires_at > @now)';

/**
 * Key–value entries per namespace, with expiry. Expired entries are invisible at once and deleted by
 * `sweep()`. Reads of single keys go through a byte-bounded LRU cache, dropped whenever another
 * connection (another gateway process, another service on the same file) commits — SQLite's
 * `data_version` tells — and per key on this connection's own writes.
 */
export class KvStore {
  readonly #db: BetterSqlite3.Database;
  readonly #now: () => number;
  readonly cache: ByteLruCache<KvEntry>;
  readonly #dataVersion: BetterSqlite3.Statement<[], number>;
  #seenVersion: number;
  readonly #get: BetterSqlite3.Statement<{ namespace: string; key: string; now: number }, KvEntry>;
  readonly #put: BetterSqlite3.Statement<{ namespace: string; key: string; json: string; now: number; expiresAt: number | null }>;
  readonly #live: BetterSqlite3.Statement<{ namespace: string; key: string; now: number }>;

  constructor(db: BetterSqlite3.Database, cacheBytes: number, now: () => number) {
    this.#db = db;
    this.#now = now;
    this.cache = new ByteLruCache<KvEntry>(cacheBytes, (entry) => entry.json.length * 2);
    this.#dataVersion = db.prepare<[], number>('PRAGMA data_version').pluck();
    this.#seenVersion = this.#dataVersion.get()!;
    this.#get = db.prepare(
      `SELECT value AS json, created_at AS createdAt, updated_at AS updatedAt, expires_at AS expiresAt
       FROM kv WHERE namespace = @namespace AND key = @key AND ${LIVE}`,
    );
    this.#live = db.prepare(`SELECT 1 FROM kv WHERE namespace = @namespace AND key = @key AND ${LIVE}`);
    // An expired row counts as absent: a new write gets a new created_at.
    this.#put = db.prepare(
      `INSERT INTO kv (namespace, key, value, created_at, updated_at, expires_at) VALUES (@namespace, @key, @json, @now, @now, @expiresAt)
       ON CONFLICT (namespace, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at, expires_at = excluded.expires_at,
         created_at = CASE WHEN kv.expires_at IS NOT NULL AND kv.expires_at <= @now THEN excluded.created_at ELSE kv.created_at END`,
    );
  }

  get(namespace: string, key: string): KvEntry | undefined {
    this.#syncCache();
    const cacheKey = cacheKeyOf(namespace, key);
    const now = this.#now();
    const cached = this.cache.get(cacheKey);
    if (cached) {
      if (cached.expiresAt === null || cached.expiresAt > now) return cached;
      this.cache.delete(cacheKey);
      return undefined;
    }
    const found = this.#get.get({ namespace, key, now });
    if (found) this.cache.set(cacheKey, found);
    return found;
  }

  /** Writes one entry; with `ifAbsent`, only when no live entry has the key. Returns whether it existed and whether it was written. */
  set(namespace: string, key: string, json: string, expiresAt: number | null, ifAbsent = false): { existed: boolean; written: boolean } {
    const write = this.#db.transaction(() => {
      const now = this.#now();
      const existed = this.#live.get({ namespace, key, now }) !== undefined;
      if (existed && ifAbsent) return { existed, written: false };
      this.#put.run({ namespace, key, json, now, expiresAt });
      return { existed, written: true };
    });
    try {
      return write.immediate();
    } finally {
      this.cache.delete(cacheKeyOf(namespace, key));
    }
  }

  /** Writes many entries in one transaction: all or none. Returns how many were new and how many replaced. */
  setMany(namespace: string, entries: readonly { key: string; json: string; expiresAt: number | null }[]): { created: number; updated: number } {
    const write = this.#db.transaction(() => {
      const now = this.#now();
      let updated = 0;
      for (const entry of entries) {
        if (this.#live.get({ namespace, key: entry.key, now })) updated++;
        this.#put.run({ namespace, key: entry.key, json: entry.json, now, expiresAt: entry.expiresAt });
      }
      return { created: entries.length - updated, updated };
    });
    try {
      return write.immediate();
    } finally {
      for (const entry of entries) this.cache.delete(cacheKeyOf(namespace, entry.key));
    }
  }

  /** Deletes keys; returns how many of them held a live entry. */
  delete(namespace: string, keys: readonly string[]): number {
    const remove = this.#db.prepare<{ namespace: string; key: string }, { expiresAt: number | null }>(
      'DELETE FROM kv WHERE namespace = @namespace AND key = @key RETURNING expires_at AS expiresAt',
    );
    const write = this.#db.transaction(() => {
      const now = this.#now();
      let deleted = 0;
      for (const key of keys) {
        const row = remove.get({ namespace, key });
        if (row && (row.expiresAt === null || row.expiresAt > now)) deleted++;
      }
      return deleted;
    });
    try {
      return write.immediate();
    } finally {
      for (const key of keys) this.cache.delete(cacheKeyOf(namespace, key));
    }
  }

  /** Live entries of a namespace in key order, from just after `after`, at most `limit`. */
  list(namespace: string, options: { prefix?: string; after?: string; limit: number }): KvListItem[] {
    const conditions = ['namespace = @namespace', LIVE];
    const params: Record<string, unknown> = { namespace, now: this.#now(), limit: options.limit };
    if (options.prefix) {
      conditions.push('key >= @prefix');
      params.prefix = options.prefix;
      const upper = prefixUpperBound(options.prefix);
      if (upper !== undefined) {
        conditions.push('key < @upper');
        params.upper = upper;
      }
    }
    if (options.after !== undefined) {
      conditions.push('key > @after');
      params.after = options.after;
    }
    return this.#db
      .prepare<Record<string, unknown>, KvListItem>(
        `SELECT key, value AS json, created_at AS createdAt, updated_at AS updatedAt, expires_at AS expiresAt
         FROM kv WHERE ${conditions.join(' AND ')} ORDER BY key LIMIT @limit`,
      )
      .all(params);
  }

  /** Every namespace that holds live entries, with their count and the bytes of their values. */
  namespaces(): { namespace: string; entries: number; bytes: number }[] {
    return this.#db
      .prepare<{ now: number }, { namespace: string; entries: number; bytes: number }>(
        `SELECT namespace, count(*) AS entries, sum(length(CAST(value AS BLOB))) AS bytes FROM kv WHERE ${LIVE} GROUP BY namespace ORDER BY namespace`,
      )
      .all({ now: this.#now() });
  }

  /** Deletes every entry of a namespace; returns how many were live. */
  clear(namespace: string): number {
    const write = this.#db.transaction(() => {
      const live = this.#db.prepare<{ namespace: string; now: number }, number>(`SELECT count(*) FROM kv WHERE namespace = @namespace AND ${LIVE}`).pluck();
      const count = live.get({ namespace, now: this.#now() })!;
      this.#db.prepare('DELETE FROM kv WHERE namespace = ?').run(namespace);
      return count;
    });
    try {
      return write.immediate();
    } finally {
      this.cache.clear(cacheKeyOf(namespace, ''));
    }
  }

  /** Deletes expired entries; returns how many. */
  sweep(): number {
    return this.#db.prepare('DELETE FROM kv WHERE expires_at IS NOT NULL AND expires_at <= ?').run(this.#now()).changes;
  }

  /** Forget every cached value (after an import or a restore). */
  invalidate(): void {
    this.cache.clear();
  }

  #syncCache(): void {
    const version = this.#dataVersion.get()!;
    if (version !== this.#seenVersion) {
      this.#seenVersion = version;
      this.cache.clear();
    }
  }
}

function cacheKeyOf(namespace: string, key: string): string {
  return `${namespace}\u0000${key}`;
}
