import { isAbsolute, resolve } from 'node:path';
import { fromJsonSchema } from '@modelcontextprotocol/server';
import { duration, size, z } from '../../sdk/index.js';

/** Namespace names: short, printable, safe in logs and file names. */
export const NAMESPACE_PATTERN = '^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$';
export const DEFAULT_NAMESPACE = 'default';
const NAMESPACE_RE = new RegExp(NAMESPACE_PATTERN);

const namespaceSettings = z.strictObject({
  description: z.string().max(500).optional().describe('What this namespace holds, for people reading the file and for memory_stats'),
  schema: z
    .record(z.string(), z.unknown())
    .superRefine((schema, ctx) => {
      try {
        fromJsonSchema(schema as Parameters<typeof fromJsonSchema>[0]);
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: `is not a valid JSON Schema: ${(error as Error).message}` });
      }
    })
    .optional()
    .describe('A JSON Schema (draft-07) every value stored in this namespace must match; a value that does not is refused with the failing paths'),
  ttl: duration().optional().describe('Entries of this namespace expire this long after they are written, unless a call gives its own ttl_seconds'),
});

/**
 * Config of a `memory` plugin instance (ADR-020: `storage_path`, `cache_size`, `backup_interval`).
 * See docs/plugins/memory.md for how `storage_path` maps to the database, the JSON export and the backups.
 *
 * @example memoryConfigSchema.parse({ storage_path: './build/data/memory_storage.json', cache_size: '100MB', backup_interval: '1h' })
 */
export const memoryConfigSchema = z
  .strictObject({
    storage_path: z
      .string()
      .min(1)
      .default('data/memory/memory.json')
      .describe('The JSON export file (.json/.jsonl): the database lives beside it as <name>.sqlite. A .db/.sqlite path names the database itself'),
    cache_size: size().prefault('16MB').describe('Read cache for memory_get, in bytes (LRU); 0 turns it off'),
    backup_interval: duration()
      .prefault('1h')
      .describe('How often a snapshot of the database is taken and the JSON export rewritten; 0 turns the timer off'),
    backup_keep: z.number().int().min(1).max(1000).default(24).describe('How many snapshots to keep; the oldest are removed'),
    backup_dir: z.string().min(1).optional().describe('Where snapshots go (default: <name>.backups beside the database)'),
    json_export: z.boolean().default(true).describe('Keep the JSON export at storage_path (on backup_interval, on stop, and on memory_export)'),
    synchronous: z
      .enum(['full', 'normal'])
      .default('full')
      .describe('full: every acknowledged write survives a crash of the process and a power loss; normal: a crash of the process only'),
    busy_timeout: duration().prefault('5s').describe('How long a write waits for another process holding the database before it fails'),
    max_value_size: size().prefault('1MB').describe('Largest value memory_set accepts (its JSON text, in bytes)'),
    max_entries_per_call: z.number().int().min(1).max(1_000_000).default(100_000).describe('Most items one batch call (memory_set_many, create_entities, …) may carry'),
    namespaces: z
      .record(z.string(), namespaceSettings)
      .superRefine(
        (namespaces, ctx) => {
          for (const name of Object.keys(namespaces)) {
            if (!NAMESPACE_RE.test(name)) {
              ctx.addIssue({ code: 'custom', path: [name], message: 'a namespace name is 1-64 letters, digits, _ . : - (starting with a letter or digit)' });
            }
          }
        },
        { when: () => true }, // also when a namespace's settings have problems of their own: report all at once
      )
      .default({})
      .describe('Settings per namespace: schema (JSON Schema for values), ttl (default expiry)'),
    graph_resource_uri: z
      .string()
      .regex(/^[a-z][a-z0-9+.-]*:\/\/\S+$/, 'must be a URI like memory://knowledge-graph')
      .optional()
      .describe('URI of the resource holding the whole graph (default memory://knowledge-graph for a service named memory, else memory://<name>/knowledge-graph)'),
    strict_namespaces: z.boolean().default(false).describe(`Refuse namespaces not listed under namespaces: (the "${DEFAULT_NAMESPACE}" namespace is always allowed)`),
  });

export type MemoryConfig = z.output<typeof memoryConfigSchema>;

/**
 * The URI of the graph resource: the reference's `memory://knowledge-graph` for a service named
 * `memory` (the seed's name), else one per service, so two memory services never collide.
 *
 * @example graphResourceUri('team_kg', {}) // 'memory://team_kg/knowledge-graph'
 */
export function graphResourceUri(service: string, config: Pick<MemoryConfig, 'graph_resource_uri'>): string {
  return config.graph_resource_uri ?? (service === 'memory' ? 'memory://knowledge-graph' : `memory://${service}/knowledge-graph`);
}

/** Where a memory store keeps its files, all absolute. */
export interface MemoryFiles {
  /** The SQLite database (with `-wal` and `-shm` beside it while open). */
  readonly database: string;
  /** The JSON Lines export: imported once when the database is created, rewritten on backups and stop. */
  readonly jsonExport: string;
  /** The folder of snapshots. */
  readonly backups: string;
}

const JSON_EXTENSION = /\.(json|jsonl|ndjson)$/i;
const DATABASE_EXTENSION = /\.(db|sqlite|sqlite3)$/i;

/**
 * The files behind a `storage_path`, relative paths resolved against `cwd` (the gateway's working
 * directory, as for the sqlite type). `x.json` → database `x.sqlite`, export `x.json`;
 * `x.db` → database `x.db`, export `x.json`; any other name `x` → database `x.sqlite`, export `x.json`.
 *
 * @example memoryFiles({ storage_path: 'build/data/memory_storage.json' }, '/srv')
 * // { database: '/srv/build/data/memory_storage.sqlite', jsonExport: '/srv/build/data/memory_storage.json', backups: '/srv/build/data/memory_storage.backups' }
 */
export function memoryFiles(config: Pick<MemoryConfig, 'storage_path' | 'backup_dir'>, cwd = process.cwd()): MemoryFiles {
  const absolute = (path: string) => (isAbsolute(path) ? resolve(path) : resolve(cwd, path));
  const path = absolute(config.storage_path);
  let base: string;
  let database: string;
  let jsonExport: string;
  if (JSON_EXTENSION.test(path)) {
    base = path.replace(JSON_EXTENSION, '');
    database = `${base}.sqlite`;
    jsonExport = path;
  } else if (DATABASE_EXTENSION.test(path)) {
    base = path.replace(DATABASE_EXTENSION, '');
    database = path;
    jsonExport = `${base}.json`;
  } else {
    base = path;
    database = `${path}.sqlite`;
    jsonExport = `${path}.json`;
  }
  return { database, jsonExport, backups: config.backup_dir !== undefined ? absolute(config.backup_dir) : `${base}.backups` };
}
