import { defineServiceType, type ServiceType } from '../../sdk/index.js';
import { type MemoryConfig, memoryConfigSchema } from './config.js';
import { type MemoryServiceOptions, createMemoryService } from './service.js';

export { memoryConfigSchema, memoryFiles } from './config.js';
export type { MemoryConfig, MemoryFiles } from './config.js';

/**
 * The `memory` type, or a copy under another name with its own clock — for tests, which move time
 * instead of waiting (the built-in keeps the name `memory`).
 *
 * @example gatewayFrom(yaml, [createMemoryType({ name: 'memory_clock', now: () => fakeNow })])
 */
export function createMemoryType(options: MemoryServiceOptions & { name?: string } = {}): ServiceType<MemoryConfig> {
  return defineServiceType({
    name: options.name ?? 'memory',
    version: '1.0.0',
    category: 'memory',
    description:
      'A persistent memory: key/value entries with namespaces and expiry, and the knowledge graph of @modelcontextprotocol/server-memory (same tools), in SQLite (WAL)',
    capabilities: ['tools', 'resources', 'subscriptions'],
    configSchema: memoryConfigSchema,
    create: (ctx) => createMemoryService(ctx, options),
  });
}

/**
 * The built-in `memory` plugin (ADR-020). See docs/plugins/memory.md.
 *
 * @example
 * plugins:
 *   memory:
 *     enabled: true
 *     config:
 *       storage_path: "./build/data/memory_storage.json"
 *       cache_size: "100MB"
 *       backup_interval: "1h"
 */
export default createMemoryType();
