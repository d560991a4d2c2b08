import type { AuthorizationSettings, GlobalConfig, ObservabilityConfig, RateLimitSettings, ServerConfig } from './schema.js';

export type PrefixMode = 'always' | 'never' | 'on_collision';

export interface NameFilter {
  readonly include?: readonly string[];
  readonly exclude?: readonly string[];
  readonly overrides?: Readonly<
    Record<string, { name?: string; title?: string; description?: string; annotations?: Record<string, unknown> }>
  >;
}

/** One configured service instance, fully resolved: global defaults applied, type config validated. */
export interface ServiceConfig {
  readonly name: string;
  /** The YAML section it came from. */
  readonly section: 'services' | 'plugins';
  /** The service type's name. */
  readonly type: string;
  readonly category: string;
  readonly module: string | undefined;
  readonly description: string | undefined;
  readonly enabled: boolean;
  readonly timeoutMs: number;
  readonly startTimeoutMs: number;
  readonly stopTimeoutMs: number;
  readonly memoryLimitBytes: number | undefined;
  readonly breaker: { readonly threshold: number; readonly timeoutMs: number };
  readonly bulkhead: { readonly maxConcurrent: number; readonly maxQueue: number };
  readonly recovery: { readonly initialDelayMs: number; readonly maxDelayMs: number };
  readonly dependencies: readonly string[];
  readonly prefix: PrefixMode;
  readonly critical: boolean;
  /** Periodic health checks of the running service; undefined when not configured. */
  readonly healthCheck: { readonly intervalMs: number; readonly timeoutMs: number } | undefined;
  readonly tools: NameFilter;
  readonly prompts: NameFilter;
  readonly resources: { readonly include?: readonly string[]; readonly exclude?: readonly string[] };
  /** The type's own config, validated by its schema and frozen. */
  readonly config: unknown;
  /** Line of the service's key in the file, for messages. */
  readonly line: number | undefined;
}

/** The whole validated, deep-frozen configuration the gateway runs on. */
export interface GatewayConfig {
  readonly origin: string;
  readonly global: GlobalConfig;
  readonly server: ServerConfig;
  /** Tracing and the audit log. */
  readonly observability: ObservabilityConfig;
  /** Who may call which tools, prompts and resources (see docs/security.md). */
  readonly authorization: AuthorizationSettings;
  readonly rate_limits: RateLimitSettings;
  /** In file order: `services:` first, then `plugins:`. */
  readonly services: readonly ServiceConfig[];
  /** Values to redact from logs, errors and output. */
  readonly secrets: readonly string[];
}

/** Deep-freezes a plain value in place and returns it. */
export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value as Record<string, unknown>)) deepFreeze(child);
  }
  return value;
}
