import type { z } from 'zod';
import { deepFreeze, type GatewayConfig, type ServiceConfig } from './model.js';
import { KNOWN_CATEGORIES, COMMON_SERVICE_KEYS, globalSchema, observabilitySchema, rootSchema, serverSchema, serviceCommon } from './schema.js';
import { checkSecurityConfig } from '../security/config-checks.js';
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

/** What a service may be called: the YAML key under `services:` or `plugins:`. */
export const SERVICE_NAME = /^[A-Za-z][A-Za-z0-9_-]{0,47}$/;

/**
 * Validates a parsed config against the root schema and each service type's schema. Reports every
 * problem at once, each with its YAML path and line; returns a deep-frozen config only when there are none.
 */
export function validateConfig(source: ConfigSource, types: TypeLookup): ValidationResult {
  const issues: ConfigIssue[] = [...source.issues];
  if (source.data === undefined && issues.length > 0) return { ok: false, issues }; // YAML syntax: nothing to check
  // A reference that did not resolve (unset variable, unreadable file) is reported once, at its own path: the
  // empty text it left must not hide the other mistakes, nor add a second error at the same place.
  const unresolved = source.issues.map((issue) => issue.path);
  const report = (path: Path, message: string, target: 'value' | 'key' = 'value') => {
    const at = formatPath(path);
    if (unresolved.some((broken) => at === broken || at.startsWith(`${broken}.`) || at.startsWith(`${broken}[`))) return;
    issues.push({ path: at, ...source.locate(path, target), message });
  };
  const reportZod = (base: Path, error: z.ZodError, remap?: (key: string) => Path) => {
    for (const issue of error.issues) {
      const [first, ...rest] = issue.path as Path;
      const head = remap && typeof first === 'string' ? remap(first) : first === undefined ? [] : [first];
      const path = [...base, ...head, ...rest];
      const keys = (issue as { keys?: string[] }).keys;
      if (issue.code === 'unrecognized_keys' && keys) {
        // At the top of a type's config the key itself says where it was written (service level or config:).
        for (const key of keys) {
          const at = remap && first === undefined ? [...base, ...remap(key)] : [...path, key];
          report(at, `unknown key "${key}"${suggest(key)}`, 'key');
        }
      } else report(path, issue.message);
    }
  };

  const data = withoutEmptySections(source.data);
  const root = rootSchema.safeParse(data);
  // A mistake in global: or server: must not hide the mistakes in the services: report them all at once.
  if (!root.success) reportZod([], root.error);
  const { global, server, observability } = root.success ? root.data : { global: DEFAULT_GLOBAL, server: DEFAULT_SERVER, observability: DEFAULT_OBSERVABILITY };
  const { authorization, rate_limits } = root.success ? root.data : SECURITY_DEFAULTS;
  const sections = root.success ? root.data : { services: mappingOrEmpty(data.services), plugins: mappingOrEmpty(data.plugins) };
  const services: ServiceConfig[] = [];
  /** Dependencies of every entry whose common keys are valid, even when its type or settings are not. */
  const declared: DeclaredDependencies[] = [];
  const seen = new Map<string, string>();
  for (const section of ['services', 'plugins'] as const) {
    for (const [name, entry] of Object.entries(sections[section])) {
      const base: Path = [section, name];
      if (!SERVICE_NAME.test(name)) {
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
  checkDependencies(declared, new Set(seen.keys()), report);
  if (root.success) for (const issue of checkSecurityConfig(root.data, new Set(seen.keys()))) report(issue.path, issue.message);
  if (issues.length > 0) return { ok: false, issues };
  return {
    ok: true,
    config: deepFreeze({ origin: source.origin, global, server, observability, authorization, rate_limits, services, secrets: [...source.secrets] }),
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
      // An unknown driver is reported in the same run, unless driver:/type:/module: is itself what is wrong.
      const typeKeyInvalid = parsed.error.issues.some((issue) => ['driver', 'type', 'module'].includes(String(issue.path[0])));
      if (!typeKeyInvalid) resolveType(name, typeKeys(common), base);
      return undefined;
    }
    const settings = parsed.data;
    declared.push({ section, name, dependencies: settings.dependencies });
    const block = settings.config ?? {};
    for (const key of Object.keys(extra)) {
      if (key in block) report([...base, key], `"${key}" is set both here and under config: — keep one`, 'key');
    }
    const typeName = resolveType(name, settings, base);
    const info = typeName === undefined ? undefined : types.get(typeName);
    if (!info) return undefined;

    const merged = { ...extra, ...block };
    const typed = info.configSchema.safeParse(merged);
    if (!typed.success) {
      reportZod(base, typed.error, (key) => (key in block ? ['config', key] : [key]));
      return undefined;
    }
    // A service's block overrides global: key by key; keys it leaves out keep the global value.
    const breaker = overlay(global.circuit_breaker, common.circuit_breaker, settings.circuit_breaker);
    const bulkhead = overlay(global.bulkhead, common.bulkhead, settings.bulkhead);
    const recovery = overlay(global.recovery, common.recovery, settings.recovery);
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
      healthCheck: settings.health_check && { intervalMs: settings.health_check.interval, timeoutMs: settings.health_check.timeout },
      tools: settings.tools ?? {},
      prompts: settings.prompts ?? {},
      resources: settings.resources ?? {},
      config: typed.data,
      line: source.locate(base)?.line,
    } satisfies ServiceConfig;
  }

  /** driver: wins; else a module's single type; else type: when it names a type; else the key. */
  function resolveType(name: string, settings: TypeKeys, base: Path): string | undefined {
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
        `unknown service type "${name}": no driver: or type: is set, so the service name is taken as its type. ` +
          `Add driver: <type> (for an HTTP API, driver: rest with base_url:), or name the service after its type. ` +
          `Known types: ${known()}`,
      );
    }
    return undefined;
  }
}

type DeclaredDependencies = Pick<ServiceConfig, 'section' | 'name' | 'dependencies'>;

/**
 * Unknown dependencies and cycles. `configured` holds every name in the file, valid or not: a dependency on a
 * service that has its own error is not reported a second time as "not configured".
 */
function checkDependencies(
  services: readonly DeclaredDependencies[],
  configured: ReadonlySet<string>,
  report: (path: Path, message: string) => void,
) {
  const byName = new Map(services.map((service) => [service.name, service]));
  for (const service of services) {
    service.dependencies.forEach((dependency, index) => {
      if (!configured.has(dependency)) {
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

type TypeKeys = Pick<z.output<typeof serviceCommon>, 'driver' | 'type' | 'module'>;

const DEFAULT_GLOBAL = globalSchema.parse({});
const DEFAULT_SERVER = serverSchema.parse({});
const DEFAULT_OBSERVABILITY = observabilitySchema.parse({});
const SECURITY_DEFAULTS = { authorization: rootSchema.shape.authorization.parse(undefined), rate_limits: rootSchema.shape.rate_limits.parse(undefined) };

/** The type-naming keys of an entry whose common keys did not validate, as far as they are usable. */
function typeKeys(common: Record<string, unknown>): TypeKeys {
  const text = (value: unknown) => (typeof value === 'string' && value.length > 0 ? value : undefined);
  return { driver: text(common.driver), type: text(common.type), module: text(common.module) };
}

/** The parsed values of the keys the user wrote in `given`, laid over `base` (defaults of the block do not win). */
function overlay<T extends object>(base: T, given: unknown, parsed: T | undefined): T {
  if (parsed === undefined || given === null || typeof given !== 'object') return base;
  const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const key of Object.keys(given)) if (key in parsed) out[key] = (parsed as Record<string, unknown>)[key];
  return out as T;
}

/** `services:` with every entry commented out is null in YAML: an empty section, not a mistake. */
function withoutEmptySections(data: unknown): Record<string, unknown> {
  if (data === null || data === undefined) return {};
  if (typeof data !== 'object' || Array.isArray(data)) return data as Record<string, unknown>;
  const sections = new Set(Object.keys(rootSchema.shape));
  return Object.fromEntries(Object.entries(data).filter(([key, value]) => value !== null || !sections.has(key)));
}

function mappingOrEmpty(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return `a ${typeof value}`;
}

function suggest(key: string): string {
  const hints: Record<string, string> = {
    timout: 'timeout',
    enable: 'enabled',
    depends_on: 'dependencies',
    dependency: 'dependencies',
    circuitBreaker: 'circuit_breaker',
  };
  return hints[key] ? ` — did you mean "${hints[key]}"?` : '';
}
