import type { ServiceContext, ServiceInstance } from '../../sdk/index.js';
import { GatewayError } from '../../sdk/index.js';
import { adminTools } from './admin-tools.js';
import { type MemoryConfig, graphResourceUri, memoryFiles } from './config.js';
import type { DatabaseConstructor } from './database.js';
import { graphTools } from './graph-tools.js';
import { kvTools } from './kv-tools.js';
import { MemoryStore } from './memory-store.js';
import { NamespacePolicy } from './namespace-policy.js';
import { GRAPH_RESOURCE } from './reference-tools.js';
import type { MemoryToolEnv } from './tool-env.js';

/** Expired entries are invisible at once; this is how often their rows are deleted. */
const SWEEP_INTERVAL_MS = 60_000;

export interface MemoryServiceOptions {
  /** The clock (ms since 1970); tests pass their own. */
  readonly now?: () => number;
}

/**
 * A memory service instance: opens the store in `start` (lazily importing better-sqlite3), runs the
 * expiry sweep and the `backup_interval` timer, writes the JSON export on stop.
 */
export function createMemoryService(ctx: ServiceContext<MemoryConfig>, options: MemoryServiceOptions = {}): ServiceInstance {
  const { config, name, logger } = ctx;
  const now = options.now ?? Date.now;
  const files = memoryFiles(config);
  const policy = new NamespacePolicy(config, name);
  const graphUri = graphResourceUri(name, config);
  let store: MemoryStore | undefined;
  let timers: NodeJS.Timeout[] = [];
  let maintaining: Promise<void> | undefined;

  const env: MemoryToolEnv = {
    service: name,
    config,
    policy,
    now,
    store: () => {
      if (!store) throw new GatewayError('SERVICE_UNAVAILABLE', 'the memory store is not open (the service is not started, or is stopping)', { service: name });
      return store;
    },
    graphChanged: () => ctx.resourceUpdated(graphUri),
  };

  /** One backup_interval tick: a snapshot, then the JSON export. Failures are logged, never thrown. */
  const maintain = () => {
    maintaining ??= (async () => {
      const open = store;
      if (!open) return;
      try {
        const snapshot = await open.backup();
        logger.info({ snapshot: snapshot.name, bytes: snapshot.bytes, folder: open.snapshots.folder }, 'memory snapshot taken');
        if (config.json_export) await open.exportJson();
      } catch (error) {
        logger.warn(
          { err: (error as Error).message, folder: files.backups, export: files.jsonExport },
          'memory snapshot or JSON export failed; the store itself is unaffected — check free space and permissions of these paths',
        );
      }
    })().finally(() => (maintaining = undefined));
    return maintaining;
  };

  const sweep = () => {
    try {
      const removed = store?.kv.sweep() ?? 0;
      if (removed > 0) logger.debug({ removed }, 'expired memory entries deleted');
    } catch (error) {
      logger.warn({ err: (error as Error).message }, 'deleting expired memory entries failed; they stay invisible and the next sweep retries');
    }
  };

  return {
    async start() {
      const driver = await ctx.importDriver<{ default: DatabaseConstructor }>('better-sqlite3');
      await stopTimers();
      await store?.close();
      store = await MemoryStore.open({ Database: driver.default, files, config, service: name, logger, now, policy });
      sweep();
      timers = [setInterval(sweep, SWEEP_INTERVAL_MS)];
      if (config.backup_interval > 0) timers.push(setInterval(() => void maintain(), config.backup_interval));
      for (const timer of timers) timer.unref();
      logger.debug({ database: files.database, export: files.jsonExport }, 'memory store open');
    },

    async stop() {
      await stopTimers();
      const open = store;
      store = undefined;
      if (!open) return;
      if (config.json_export) {
        try {
          await open.exportJson();
        } catch (error) {
          logger.warn({ err: (error as Error).message, export: files.jsonExport }, 'could not write the JSON export on stop; the database holds everything');
        }
      }
      await open.close();
    },

    async health() {
      env.store().ping();
      return { healthy: true, detail: files.database };
    },

    tools: () => [...graphTools(env), ...kvTools(env), ...adminTools(env)],

    resources: () => [
      {
        ...GRAPH_RESOURCE,
        uri: graphUri,
        async read() {
          const graph = env.store().graph.readGraph();
          return { contents: [{ uri: graphUri, mimeType: GRAPH_RESOURCE.mimeType, text: JSON.stringify(graph, null, 2) }] };
        },
      },
    ],
  };

  async function stopTimers(): Promise<void> {
    for (const timer of timers) clearInterval(timer);
    timers = [];
    await maintaining;
  }
}
