import type { GatewayConfig, ServiceConfig } from '../config/model.js';

/** What a reload does to each service. */
export interface ServiceDiff {
  /** Enabled now, not before. */
  readonly added: readonly string[];
  /** Enabled before, gone or disabled now. */
  readonly removed: readonly string[];
  /** Instance-level settings changed (type, module, its own config, timeout, dependencies…): a new instance. */
  readonly replaced: readonly string[];
  /** Only host-level settings changed (breaker, bulkhead, recovery, filters, prefix, health checks…): same instance. */
  readonly retuned: readonly string[];
  readonly unchanged: readonly string[];
}

/**
 * Settings handed to the instance when it is created (`ctx.config`, `ctx.timeoutMs`, its type and
 * dependencies): a change to any of them needs a new instance. Every other resolved setting is the host's
 * (pipeline, catalog filters, health checks) and is applied to the running instance.
 */
const INSTANCE_KEYS = ['section', 'type', 'category', 'module', 'config', 'timeoutMs', 'startTimeoutMs', 'memoryLimitBytes', 'dependencies'] as const;
/** Where the entry sits in the file says nothing about how it runs. */
const IGNORED_KEYS = new Set(['line']);

/**
 * Compares two resolved configs service by service (key order and position in the file do not matter).
 *
 * @example diffServices(running, next).replaced // ['orders_db'] when its DSN changed
 */
export function diffServices(before: GatewayConfig, after: GatewayConfig): ServiceDiff {
  const old = new Map(before.services.filter((service) => service.enabled).map((service) => [service.name, service]));
  const now = new Map(after.services.filter((service) => service.enabled).map((service) => [service.name, service]));
  const diff = { added: [] as string[], removed: [] as string[], replaced: [] as string[], retuned: [] as string[], unchanged: [] as string[] };
  for (const [name, service] of now) {
    const previous = old.get(name);
    if (!previous) diff.added.push(name);
    else if (INSTANCE_KEYS.some((key) => !deepEqual(previous[key], service[key]))) diff.replaced.push(name);
    else if (!sameService(previous, service)) diff.retuned.push(name);
    else diff.unchanged.push(name);
  }
  for (const name of old.keys()) if (!now.has(name)) diff.removed.push(name);
  return diff;
}

function sameService(a: ServiceConfig, b: ServiceConfig): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].every((key) => IGNORED_KEYS.has(key) || deepEqual((a as unknown as Record<string, unknown>)[key], (b as unknown as Record<string, unknown>)[key]));
}

/** Structural equality of plain config values; object key order is ignored. */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const other = b as unknown[];
    return a.length === other.length && a.every((item, index) => deepEqual(item, other[index]));
  }
  const left = Object.entries(a).filter(([, value]) => value !== undefined);
  const right = b as Record<string, unknown>;
  const rightCount = Object.values(right).filter((value) => value !== undefined).length;
  return left.length === rightCount && left.every(([key, value]) => deepEqual(value, right[key]));
}

/** Gateway-wide settings a reload applies at once; any other change in `global:`, `server:` or `observability:` needs a restart. */
const LIVE_SETTINGS = [
  /^global\.(timeout|start_timeout|stop_timeout|shutdown_timeout|circuit_breaker|bulkhead|recovery|prefix)\b/, // reach services through their resolved config
  /^global\.(separator|max_name_length|page_size|log_level|server_name|instructions)$/,
  /^server\.admin\.key$/,
  // The front door rebuilds its authentication from the running config (key rotation without a restart).
  /^server\.auth\b/,
];

export interface SettingsDiff {
  /** Dotted paths applied by this reload. */
  readonly live: readonly string[];
  /** Dotted paths that keep their old value until the gateway restarts. */
  readonly restart: readonly string[];
}

/**
 * The gateway-wide settings that differ, split into those a reload applies and those that need a restart
 * (the listen address, the front door's limits, memory_limit, metrics/admin endpoints, tracing, audit).
 *
 * @example diffSettings(running, next).restart // ['server.http.port']
 */
export function diffSettings(before: GatewayConfig, after: GatewayConfig): SettingsDiff {
  const paths: string[] = [];
  for (const section of ['global', 'server', 'observability'] as const) {
    changedPaths((before as unknown as Record<string, unknown>)[section], (after as unknown as Record<string, unknown>)[section], section, paths);
  }
  const live = paths.filter((path) => LIVE_SETTINGS.some((pattern) => pattern.test(path)));
  return { live, restart: paths.filter((path) => !live.includes(path)) };
}

/** Leaf paths (objects descended, arrays compared whole) where two values differ. */
function changedPaths(a: unknown, b: unknown, path: string, out: string[]): void {
  const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
  if (isObject(a) && isObject(b)) {
    for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) changedPaths(a[key], b[key], `${path}.${key}`, out);
  } else if (!deepEqual(a, b)) out.push(path);
}
