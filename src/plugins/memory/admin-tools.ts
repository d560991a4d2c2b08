import { readFile } from 'node:fs/promises';
import { GatewayError, type ToolDefinition } from '../../sdk/index.js';
import { DEFAULT_NAMESPACE } from './config.js';
import { ExportFormatError, parseExport } from './export-format.js';
import { type MemoryToolEnv, jsonResult } from './tool-env.js';

/** Largest export returned inside a tool result; bigger stores are exported to the file only. */
const MAX_INLINE_EXPORT = 4_000_000;

/** The store's own tools: stats, namespaces, JSON export and import, snapshots and restore. */
export function adminTools(env: MemoryToolEnv): ToolDefinition[] {
  const store = () => env.store();
  const invalid = (message: string) => new GatewayError('INVALID_ARGUMENTS', message, { service: env.service });
  return [
    {
      name: 'memory_stats',
      title: 'Memory store statistics',
      description: 'Where the store lives, how much it holds (entries per namespace, entities, relations), file sizes and read-cache use.',
      inputSchema: { type: 'object', properties: {}, additionalProperties: false },
      annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
      async call() {
        const open = store();
        const configured = Object.entries(env.config.namespaces).map(([name, settings]) => ({
          namespace: name,
          ...(settings.description ? { description: settings.description } : {}),
          hasSchema: settings.schema !== undefined,
          ttlMs: settings.ttl ?? null,
        }));
        const cache = open.kv.cache;
        return jsonResult({
          files: { database: open.files.database, jsonExport: open.files.jsonExport, backups: open.files.backups },
          bytes: await open.fileSizes(),
          namespaces: open.kv.namespaces(),
          configuredNamespaces: configured,
          defaultNamespace: DEFAULT_NAMESPACE,
          graph: open.graph.counts(),
          cache: { maxBytes: cache.maxBytes, bytes: cache.bytes, entries: cache.size, hits: cache.hits, misses: cache.misses },
        });
      },
    },
    {
      name: 'memory_export',
      title: 'Export to JSON',
      description:
        'Write the whole store (graph and key/value entries) to its JSON Lines export file now (atomically), in the format of @modelcontextprotocol/server-memory plus kv lines. inline: true also returns the text.',
      inputSchema: {
        type: 'object',
        properties: { inline: { type: 'boolean', description: `Return the export text in the result too (stores up to ${MAX_INLINE_EXPORT} bytes)` } },
        additionalProperties: false,
      },
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
      async call(args, ctx) {
        await ctx.progress(0, 1, 'exporting');
        const written = await store().exportJson(ctx.signal);
        await ctx.progress(1, 1, 'exported');
        if (args.inline !== true) return jsonResult({ ...written });
        if (written.bytes > MAX_INLINE_EXPORT) {
          throw invalid(`the export is ${written.bytes} bytes, too large to return inline (at most ${MAX_INLINE_EXPORT}); it was written to ${written.file}`);
        }
        // The file just written, so the text and the file are the same moment.
        const text = await readFile(written.file, 'utf8');
        return { content: [{ type: 'text', text }], structuredContent: { ...written } };
      },
    },
    {
      name: 'memory_import',
      title: 'Import from JSON',
      description:
        'Import a JSON Lines export (MCPEG or @modelcontextprotocol/server-memory format) or a {"entities","relations","kv"} document, given as text or read from the export file. merge (default) adds what is missing; replace empties the store first and needs confirm: "replace". All or nothing.',
      inputSchema: {
        type: 'object',
        properties: {
          text: { type: 'string', description: 'The export text' },
          from_export_file: { type: 'boolean', description: 'Read the store’s own export file instead of text' },
          mode: { type: 'string', enum: ['merge', 'replace'], description: 'merge (default) or replace' },
          confirm: { type: 'string', description: 'For mode replace: the word "replace"' },
        },
        additionalProperties: false,
      },
      annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: false },
      async call(args, ctx) {
        const mode = (args.mode as 'merge' | 'replace' | undefined) ?? 'merge';
        if (mode === 'replace' && args.confirm !== 'replace') {
          throw invalid('nothing was imported: mode replace deletes everything in the store first — set confirm to "replace" to go ahead');
        }
        const fromFile = args.from_export_file === true;
        if (fromFile === (typeof args.text === 'string')) throw invalid('give exactly one source: text, or from_export_file: true');
        const open = store();
        let source: string;
        if (fromFile) {
          try {
            source = await readFile(open.files.jsonExport, 'utf8');
          } catch (error) {
            throw invalid(`cannot read the export file ${open.files.jsonExport}: ${(error as Error).message}`);
          }
        } else {
          source = args.text as string;
        }
        ctx.signal.throwIfAborted();
        let dump;
        try {
          dump = parseExport(source);
        } catch (error) {
          if (error instanceof ExportFormatError) throw invalid(`nothing was imported: ${fromFile ? open.files.jsonExport : 'the text'}, ${error.message}`);
          throw error;
        }
        await ctx.progress(1, 2, 'parsed');
        const loaded = open.importDump(dump, mode);
        env.graphChanged();
        await ctx.progress(2, 2, 'imported');
        return jsonResult({ mode, ...loaded, skippedLines: dump.skipped });
      },
    },
    {
      name: 'memory_backup',
      title: 'Take a snapshot',
      description: 'Take a snapshot of the store now (SQLite online backup; the oldest beyond backup_keep are removed).',
      inputSchema: { type: 'object', properties: {}, additionalProperties: false },
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
      async call(_, ctx) {
        const snapshot = await store().backup((done, total) => void ctx.progress(done, total, 'copying pages').catch(() => {}));
        return jsonResult({ ...snapshot, folder: store().snapshots.folder });
      },
    },
    {
      name: 'memory_backups',
      title: 'List snapshots',
      description: 'List the snapshots of the store, newest first (names to give memory_restore).',
      inputSchema: { type: 'object', properties: {}, additionalProperties: false },
      annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
      async call() {
        return jsonResult({ folder: store().snapshots.folder, snapshots: await store().snapshots.list() });
      },
    },
    {
      name: 'memory_restore',
      title: 'Restore a snapshot',
      description:
        'Replace everything in the store with a snapshot (memory_backups lists them). Destructive: confirm must repeat the snapshot name. A snapshot of the current contents is taken first, so a restore can be undone.',
      inputSchema: {
        type: 'object',
        properties: {
          snapshot: { type: 'string', minLength: 1, maxLength: 255, description: 'The snapshot name, as memory_backups lists it' },
          confirm: { type: 'string', description: 'The snapshot name again, to confirm' },
        },
        required: ['snapshot', 'confirm'],
        additionalProperties: false,
      },
      annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: false },
      async call(args, ctx) {
        const name = args.snapshot as string;
        if (args.confirm !== name) {
          throw invalid(`nothing was restored: restoring replaces everything in the store — set confirm to ${JSON.stringify(name)} to go ahead`);
        }
        const restored = await store().restore(name, (done, total) => void ctx.progress(done, total, 'taking a safety snapshot').catch(() => {}));
        env.graphChanged();
        return jsonResult({ ...restored });
      },
    },
  ];
}
