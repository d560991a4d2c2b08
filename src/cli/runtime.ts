import { type ConfigLocation, locateConfig, readConfigText } from '../config/discover.js';
import type { Gateway } from '../core/gateway.js';
import { buildGateway, formatIssues, loadConfig, type LoadResult } from '../bootstrap.js';
import type { ServiceTypeRegistry } from '../core/registry.js';
import { createLogger } from '../observability/logger.js';
import { isGatewayError } from '../sdk/errors.js';
import type { Logger } from '../sdk/logger.js';

/** A failure the CLI reports as-is (no stack) and exits 1 on. */
export class CliError extends Error {
  override readonly name = 'CliError';
}

export interface Loaded {
  readonly location: ConfigLocation;
  readonly gateway: Gateway;
  readonly logger: Logger;
  readonly registry: ServiceTypeRegistry;
}

/** Finds, loads and validates the config and builds the gateway, or throws a CliError saying why. */
export async function loadGateway(options: { config: string | undefined; logLevel?: string }): Promise<Loaded> {
  const location = locateConfig({ flag: options.config, env: process.env, cwd: process.cwd() });
  let text: string;
  try {
    text = readConfigText(location);
  } catch (error) {
    throw new CliError(isGatewayError(error) ? error.message : String(error));
  }
  const bootLogger = createLogger({ level: options.logLevel ?? 'warn', pretty: process.stderr.isTTY });
  const result = await loadConfig({ text, origin: location.path, env: process.env, logger: bootLogger });
  if (!result.ok) {
    throw new CliError(
      `config ${location.path} is invalid (${result.issues.length} problem${result.issues.length === 1 ? '' : 's'}):\n${formatIssues(location.path, result.issues)}`,
    );
  }
  const logger = createLogger({
    level: options.logLevel ?? result.config.global.log_level,
    secrets: result.config.secrets,
    pretty: process.stderr.isTTY,
  });
  let gateway: Gateway;
  try {
    gateway = buildGateway({ config: result.config, registry: result.registry, logger });
  } catch (error) {
    throw new CliError(`config ${location.path} is invalid: ${(error as Error).message}`);
  }
  await gateway.warmUp();
  return { location, gateway, logger, registry: result.registry };
}

/**
 * How `mcpeg serve` reads its config again on a reload (env and secret references resolved anew), and
 * which file it watches; the embedded default has no file to re-read.
 */
export function reloadSource(location: ConfigLocation, logger: Logger): { load?: () => Promise<LoadResult>; watchPath?: string } {
  if (location.reason === 'embedded default') return {};
  return {
    load: async () => loadConfig({ text: readConfigText(location), origin: location.path, env: process.env, logger }),
    watchPath: location.path,
  };
}

/** Parses `HOST:PORT`, `:PORT` or `PORT`. */
export function parseListen(value: string): { host: string; port: number } {
  const match = /^(?:(\[[^\]]+\]|[^:]+)?:)?(\d{1,5})$/.exec(value.trim());
  const port = Number(match?.[2]);
  if (!match || port > 65_535) throw new CliError(`--http "${value}" is not HOST:PORT (for example 127.0.0.1:3000 or :3000)`);
  return { host: (match[1] ?? '127.0.0.1').replace(/^\[|\]$/g, ''), port };
}
