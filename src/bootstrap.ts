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
 * reported at once with path and line. Nothing starts here.
 *
 * @example const result = await loadConfig({ text, origin: 'mcpeg.yaml', env: process.env, logger });
 */
export async function loadConfig(options: LoadOptions): Promise<LoadResult> {
  const registry = new ServiceTypeRegistry(GATEWAY_VERSION);
  const issues: ConfigIssue[] = [];
  for (const [name, load] of Object.entries(BUILT_IN_SERVICE_TYPES)) {
    try {
      registry.register(await load(), 'built-in');
    } catch (error) {
      issues.push({ path: '(built-in)', message: `built-in service type ${name} failed to load: ${(error as Error).message}` });
    }
  }
  for (const type of options.types ?? []) registry.register(type, 'embedding application');
  const source = parseConfigSource(options.text, options.origin, { env: options.env ?? process.env });
  const moduleErrors = new Map<string, string>();
  const specifiers = moduleSpecifiers(source.data);
  if (specifiers.length > 0) {
    const errors = await loadPluginModules({ specifiers, baseDir: dirname(options.origin), registry, logger: options.logger });
    for (const [specifier, error] of errors) moduleErrors.set(specifier, error.message);
  }
  for (const error of registry.checkDependencies()) issues.push({ path: '(plugins)', message: error.message });
  const lookup: TypeLookup = {
    get: (name) => registry.get(name),
    names: () => registry.names(),
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
