import { createRequire } from 'node:module';
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { GatewayError, isGatewayError } from '../sdk/errors.js';
import type { Logger } from '../sdk/logger.js';
import type { ServiceType } from '../sdk/service-type.js';
import { withDeadline } from './lifecycle.js';
import type { ServiceTypeRegistry } from './registry.js';

/**
 * Loads external plugins named by `module:` in config. A module is a path (relative to the config
 * file) or an npm package; it exports service types made with `defineServiceType` — as `default`
 * (one type or a list) or as `serviceTypes`. A module that throws, hangs or exports nothing valid is
 * reported (in the returned map, by specifier) and skipped; the services that need it get a config error, nothing else is affected.
 */
export async function loadPluginModules(options: {
  specifiers: readonly string[];
  baseDir: string;
  registry: ServiceTypeRegistry;
  logger: Logger;
  timeoutMs?: number;
}): Promise<Map<string, GatewayError>> {
  const errors = new Map<string, GatewayError>();
  for (const specifier of new Set(options.specifiers)) {
    try {
      const url = resolveModule(specifier, options.baseDir);
      const loaded = await withDeadline(
        options.timeoutMs ?? 10_000,
        () => new Error(`importing it did not finish within ${options.timeoutMs ?? 10_000} ms`),
        () => import(url) as Promise<Record<string, unknown>>,
      );
      const types = exportedTypes(loaded);
      if (types.length === 0) {
        throw new GatewayError('PLUGIN_INVALID', 'exports no service type: export default defineServiceType({...}) from mcpeg/sdk');
      }
      options.registry.registerModule(specifier, types);
      options.logger.info({ plugin: specifier, types: types.map((type) => type.name) }, 'plugin loaded');
    } catch (error) {
      const wrapped = isGatewayError(error)
        ? new GatewayError(error.code, `plugin "${specifier}": ${error.message}`, { cause: error })
        : new GatewayError('PLUGIN_LOAD_FAILED', `plugin "${specifier}" could not be loaded: ${(error as Error)?.message ?? String(error)}`, {
            cause: error,
          });
      options.logger.error({ plugin: specifier, code: wrapped.code }, wrapped.message);
      errors.set(specifier, wrapped);
    }
  }
  return errors;
}

function resolveModule(specifier: string, baseDir: string): string {
  if (specifier.startsWith('.') || isAbsolute(specifier)) return pathToFileURL(resolve(baseDir, specifier)).href;
  try {
    return pathToFileURL(createRequire(resolve(baseDir, 'mcpeg.yaml')).resolve(specifier)).href;
  } catch {
    return specifier;
  }
}

function exportedTypes(module: Record<string, unknown>): ServiceType<unknown>[] {
  const candidates = [module.default, module.serviceTypes].flatMap((value) => (Array.isArray(value) ? value : value ? [value] : []));
  return candidates as ServiceType<unknown>[];
}
