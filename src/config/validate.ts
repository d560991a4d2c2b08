import type { z } from 'zod';
import { deepFreeze, type GatewayConfig, type ServiceConfig } from './model.js';
import { KNOWN_CATEGORIES, COMMON_SERVICE_KEYS, rootSchema, serviceCommon } from './schema.js';
import { type ConfigIssue, type ConfigSource, formatPath } from './source.js';

/** What validation needs to know about a registered service type. */
export interface TypeInfo {
  readonly name: string;
  readonly category: string;
  readonly configSchema: z.ZodType;
}

/** The registry as config validation sees it (config/ never imports core/). */
export interface TypeLookup {
  get(name: string): TypeInfo | undefined;
  names(): readonly string[];
  /** Names of the types an external module (`module:`) registered, once it is loaded. */
  fromModule(specifier: string): readonly string[] | undefined;
  /** Why an external module could not be loaded, when it could not. */
  moduleError?(specifier: string): string | undefined;
}

export type ValidationResult = { ok: true; config: GatewayConfig } | { ok: false; issues: ConfigIssue[] };

type Path = (string | number)[];

/**
 * Validates a parsed config against the root schema and each service type's schema. Reports every
 * problem at once, each with its YAML path and line; returns a deep-frozen config only when there are none.
 */
export function validateConfig(source: ConfigSource, types: TypeLookup): ValidationResult {
  const issues: ConfigIssue[] = [...source.issues];
  if (issues.length > 0) return { ok: false, issues };
  const report = (path: Path, message: string) => issues.push({ path: formatPath(path), ...source.locate(path), message });
  const reportZod = (base: Path, error: z.ZodError, remap?: (key: string) => Path) => {
    for (const issue of error.issues) {
      const [first, ...rest] = issue.path as Path;
      const head = remap && typeof first === 'string' ? remap(first) : first === undefined ? [] : [first];
      const path = [...base, ...head, ...rest];
      const keys = (issue as { keys?: string[] }).keys;
      if (issue.code === 'unrecognized_keys' && keys) {
        for (const key of keys) report([...path, key], `unknown key "${key}"${suggest(key, issue)}`);
      } else report(path, issue.message);
    }
  };

  const root = rootSchema.safeParse(source.data ?? {});
  if (!root.success) {
    reportZod([], root.error);
    return { ok: false, issues };
  }
  const { global, server } = root.data;
  const services: ServiceConfig[] = [];
  const seen = new Map<string, string>();
  for (const section of ['services', 'plugins'] as const) {
    for (const [name, entry] of Object.entries(root.data[section])) {
      const base: Path = [section, name];
      if (!/^[A-Za-z][A-Za-z0-9_-]{0,47}$/.test(name)) {
        report(base, `service name "${name}" must start with a letter and use only letters, digits, _ and - (at most 48)`);
        continue;
      }
      const other = seen.get(name);
      if (other) {
        report(base, `"${name}" is defined in both ${other}: and ${section}: — names share one namespace; rename one`);
        continue;
      }
      seen.set(name, section);
      const service = validateService(section, name, entry ?? {}, base);
      if (service) services.push(service);
    }
  }
  checkDependencies(services, report);
  if (issues.length > 0) return { ok: false, issues };
  return {
    ok: true,
    config: deepFreeze({ origin: source.origin, global, server, services, secrets: [...source.secrets] }),
  };

  function validateService(section: 'services' | 'plugins', name: string, entry: unknown, base: Path) {
    if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) {
      report(base, `must be a mapping of settings (enabled, driver, config, …), not ${describe(entry)}`);
      return undefined;
    }
    const common: Record<string, unknown> = {};
    const extra: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(entry)) (COMMON_SERVICE_KEYS.has(key) ? common : extra)[key] = value;
    const parsed = serviceCommon.safeParse(common);
    if (!parsed.success) {
      reportZod(base, parsed.error);
      return undefined;
    }
    const settings = parsed.data;
    const typeName = resolveType(name, settings, base);
    const info = typeName === undefined ? undefined : types.get(typeName);
    if (!info) return undefined;

    const block = settings.config ?? {};
    for (const key of Object.keys(extra)) {
      if (key in block) report([...base, key], `"${key}" is set both here and under config: — keep one`);
    }
    const merged = { ...extra, ...block };
    const typed = info.configSchema.safeParse(merged);
    if (!typed.success) {
      reportZod(base, typed.error, (key) => (key in block ? ['config', key] : [key]));
      return undefined;
    }
    const breaker = settings.circuit_breaker ?? global.circuit_breaker;
    const bulkhead = settings.bulkhead ?? global.bulkhead;
    const recovery = settings.recovery ?? global.recovery;
    return {
      name,
      section,
      type: info.name,
      category: info.category,
      module: settings.module,
      description: settings.description,
      enabled: settings.enabled,
      timeoutMs: settings.timeout ?? global.timeout,
      startTimeoutMs: settings.start_timeout ?? global.start_timeout,
      stopTimeoutMs: global.stop_timeout,
      memoryLimitBytes: settings.memory_limit,
      breaker: { threshold: breaker.threshold, timeoutMs: breaker.timeout },
      bulkhead: { maxConcurrent: bulkhead.max_concurrent, maxQueue: bulkhead.max_queue },
      recovery: { initialDelayMs: recovery.initial_delay, maxDelayMs: recovery.max_delay },
      dependencies: settings.dependencies,
      prefix: settings.prefix ?? global.prefix,
      critical: settings.critical,
      tools: settings.tools ?? {},
      prompts: settings.prompts ?? {},
      resources: settings.resources ?? {},
      config: typed.data,
      line: source.locate(base)?.line,
    } satisfies ServiceConfig;
  }

  /** driver: wins; else a module's single type; else type: when it names a type; else the key. */
  function resolveType(name: string, settings: z.output<typeof serviceCommon>, base: Path): string | undefined {
    const known = () => [...types.names()].sort().join(', ') || '(none registered)';
    if (settings.module) {
      const exported = types.fromModule(settings.module);
      if (!exported) {
        const why = types.moduleError?.(settings.module) ?? 'it was not loaded';
        report([...base, 'module'], `plugin module "${settings.module}" could not be used: ${why}`);
        return undefined;
      }
      const wanted = settings.driver ?? settings.type ?? (exported.length === 1 ? exported[0] : undefined);
      if (wanted === undefined || !exported.includes(wanted)) {
        report(
          [...base, settings.driver ? 'driver' : 'module'],
          `plugin "${settings.module}" provides ${exported.join(', ') || 'no service types'}; set driver: to one of them`,
        );
        return undefined;
      }
      return wanted;
    }
    if (settings.driver) {
      if (types.get(settings.driver)) return settings.driver;
      report([...base, 'driver'], `unknown service type "${settings.driver}". Known types: ${known()}`);
      return undefined;
    }
    if (settings.type && types.get(settings.type)) return settings.type;
    if (types.get(name)) return name;
    if (settings.type && !(KNOWN_CATEGORIES as readonly string[]).includes(settings.type)) {
      report([...base, 'type'], `unknown service type "${settings.type}". Known types: ${known()}`);
    } else if (settings.type) {
      report(
        [...base, 'type'],
        `unknown service type "${settings.type}" (it is a category, and no type is named "${name}" either). ` +
          `Add driver: with the type that implements it. Known types: ${known()}`,
      );
    } else {
      report(
        base,
        `service "${name}" names no service type: add driver: <type> (for an HTTP API, driver: rest with base_url:), ` +
          `or name the service after its type. Known types: ${known()}`,
      );
    }
    return undefined;
  }
}

function checkDependencies(services: ServiceConfig[], report: (path: Path, message: string) => void) {
  const byName = new Map(services.map((service) => [service.name, service]));
  for (const service of services) {
    service.dependencies.forEach((dependency, index) => {
      if (!byName.has(dependency)) {
        report([service.section, service.name, 'dependencies', index], `depends on "${dependency}", which is not configured`);
      }
    });
  }
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (name: string, trail: string[]): void => {
    if (state.get(name) === 'done') return;
    if (state.get(name) === 'visiting') {
      const cycle = [...trail.slice(trail.indexOf(name)), name];
      const first = byName.get(name)!;
      report([first.section, name, 'dependencies'], `dependency cycle: ${cycle.join(' → ')} — remove one of these dependencies`);
      return;
    }
    state.set(name, 'visiting');
    for (const dependency of byName.get(name)?.dependencies ?? []) if (byName.has(dependency)) visit(dependency, [...trail, name]);
    state.set(name, 'done');
  };
  for (const service of services) visit(service.name, []);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return `a ${typeof value}`;
}

function suggest(key: string, issue: z.core.$ZodIssue): string {
  void issue;
  const hints: Record<string, string> = {
    timout: 'timeout',
    enable: 'enabled',
    depends_on: 'dependencies',
    dependency: 'dependencies',
    circuitBreaker: 'circuit_breaker',
  };
  return hints[key] ? ` — did you mean "${hints[key]}"?` : '';
}
