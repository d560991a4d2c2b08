import { dirname } from 'node:path';
import { BUILT_IN_SERVICE_TYPES } from './adapters/built-in.js';
import type { GatewayConfig } from './config/model.js';
import { type ConfigIssue, parseConfigSource } from './config/source.js';
import { type TypeLookup, validateConfig } from './config/validate.js';
import { Gateway } from './core/gateway.js';
import { loadPluginModules } from './core/plugin-loader.js';
import { ServiceTypeRegistry } from './core/registry.js';
import type { Logger } from './sdk/logger.js';
import type { ServiceType } from './sdk/service-type.js';
import { GATEWAY_VERSION } from './version.js';

export interface LoadOptions {
  /** The YAML text. */
  readonly text: string;
  /** Where it came from (a path; its folder resolves relative plugin paths). */
  readonly origin: string;
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly logger: Logger;
  /** Extra service types registered like built-ins (tests, embedding applications). */
  readonly types?: readonly ServiceType<unknown>[];
}

export type LoadResult =
  | { ok: true; config: GatewayConfig; registry: ServiceTypeRegistry }
  | { ok: false; issues: ConfigIssue[]; registry: ServiceTypeRegistry };

/**
 * Parses, resolves references, loads the plugins the file names, and validates — every problem
 * reported at once with path and line. Nothing starts here. Only the built-in types the file can
 * mean (an entry's name, `driver:` or `type:`, and what those types depend on) are imported: the
 * others cost nothing, so a gateway with two services starts as fast as it can.
 *
 * @example const result = await loadConfig({ text, origin: 'mcpeg.yaml', env: process.env, logger });
 */
export async function loadConfig(options: LoadOptions): Promise<LoadResult> {
  const registry = new ServiceTypeRegistry(GATEWAY_VERSION);
  const issues: ConfigIssue[] = [];
  const source = parseConfigSource(options.text, options.origin, { env: options.env ?? process.env });
  await registerBuiltIns(registry, typeNamesIn(source.data), issues);
  for (const type of options.types ?? []) registry.register(type, 'embedding application');
  const moduleErrors = new Map<string, string>();
  const specifiers = moduleSpecifiers(source.data);
  if (specifiers.length > 0) {
    const errors = await loadPluginModules({ specifiers, baseDir: dirname(options.origin), registry, logger: options.logger });
    for (const [specifier, error] of errors) moduleErrors.set(specifier, error.message);
  }
  // A type (a plugin's, or a built-in's) may need a built-in the file does not name.
  for (let more = neededBuiltIns(registry); more.size > 0; more = neededBuiltIns(registry)) await registerBuiltIns(registry, more, issues);
  for (const error of registry.checkDependencies()) issues.push({ path: '(plugins)', message: error.message });
  const lookup: TypeLookup = {
    get: (name) => registry.get(name),
    names: () => [...new Set([...registry.names(), ...Object.keys(BUILT_IN_SERVICE_TYPES)])].sort(),
    fromModule: (specifier) => registry.fromModule(specifier),
    moduleError: (specifier) => moduleErrors.get(specifier),
  };
  const result = validateConfig(source, lookup);
  if (!result.ok) return { ok: false, issues: [...issues, ...result.issues], registry };
  if (issues.length > 0) return { ok: false, issues, registry };
  return { ok: true, config: result.config, registry };
}

/** Builds a gateway from a validated config; throws `CONFIG_INVALID` on catalog collisions. */
export function buildGateway(options: { config: GatewayConfig; registry: ServiceTypeRegistry; logger: Logger }): Gateway {
  const gateway = new Gateway(options);
  gateway.start();
  return gateway;
}

/** Imports and registers the built-in types among `names` that are not registered yet. */
async function registerBuiltIns(registry: ServiceTypeRegistry, names: ReadonlySet<string>, issues: ConfigIssue[]): Promise<void> {
  for (const [name, load] of Object.entries(BUILT_IN_SERVICE_TYPES)) {
    if (!names.has(name) || registry.get(name)) continue;
    try {
      registry.register(await load(), 'built-in');
    } catch (error) {
      issues.push({ path: '(built-in)', message: `built-in service type ${name} failed to load: ${(error as Error).message}` });
    }
  }
}

/** Built-in types that registered types depend on and that are not registered yet. */
function neededBuiltIns(registry: ServiceTypeRegistry): Set<string> {
  const needed = new Set<string>();
  for (const name of registry.names()) {
    for (const dependency of registry.get(name)?.dependencies ?? []) {
      if (!registry.get(dependency) && dependency in BUILT_IN_SERVICE_TYPES) needed.add(dependency);
    }
  }
  return needed;
}

/** Every name an entry could mean as a type: its key, its `driver:` and its `type:`. */
function typeNamesIn(data: unknown): Set<string> {
  const names = new Set<string>();
  if (data === null || typeof data !== 'object') return names;
  for (const section of ['services', 'plugins']) {
    const entries = (data as Record<string, unknown>)[section];
    if (entries === null || typeof entries !== 'object') continue;
    for (const [key, entry] of Object.entries(entries as Record<string, unknown>)) {
      names.add(key);
      const { driver, type } = (entry ?? {}) as { driver?: unknown; type?: unknown };
      if (typeof driver === 'string') names.add(driver);
      if (typeof type === 'string') names.add(type);
    }
  }
  return names;
}

function moduleSpecifiers(data: unknown): string[] {
  const out: string[] = [];
  if (data === null || typeof data !== 'object') return out;
  for (const section of ['services', 'plugins']) {
    const entries = (data as Record<string, unknown>)[section];
    if (entries === null || typeof entries !== 'object') continue;
    for (const entry of Object.values(entries as Record<string, unknown>)) {
      const module = (entry as { module?: unknown } | null)?.module;
      if (typeof module === 'string' && module.length > 0) out.push(module);
    }
  }
  return out;
}

/** Formats config issues the way `mcpeg validate` prints them: `file:line:col  path  message`. */
export function formatIssues(origin: string, issues: readonly ConfigIssue[]): string {
  return issues
    .map((issue) => `${origin}${issue.line ? `:${issue.line}${issue.column ? `:${issue.column}` : ''}` : ''}  ${issue.path}  ${issue.message}`)
    .join('\n');
}
