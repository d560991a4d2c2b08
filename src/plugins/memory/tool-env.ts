import type { CallToolResult } from '../../sdk/index.js';
import type { MemoryConfig } from './config.js';
import type { MemoryStore } from './memory-store.js';
import type { NamespacePolicy } from './namespace-policy.js';

/** What every memory tool needs from its service instance. */
export interface MemoryToolEnv {
  readonly service: string;
  readonly config: MemoryConfig;
  readonly policy: NamespacePolicy;
  readonly now: () => number;
  /** The open store; throws SERVICE_UNAVAILABLE before start and after stop. */
  store(): MemoryStore;
  /** Tell subscribers of memory://knowledge-graph that the graph changed. */
  graphChanged(): void;
}

/** A result whose text is the structured content as indented JSON (as the reference server answers). */
export function jsonResult(structured: Record<string, unknown>): CallToolResult {
  return { content: [{ type: 'text', text: JSON.stringify(structured, null, 2) }], structuredContent: structured };
}

/** A time in ms since 1970 as ISO text, null for none. */
export function isoTime(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}
