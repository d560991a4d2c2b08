import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GatewayError } from '../sdk/errors.js';

/** The embedded default config, shipped inside the package. */
export const EMBEDDED_CONFIG_PATH = fileURLToPath(new URL('../../config/default.yaml', import.meta.url));

export interface ConfigLocation {
  readonly path: string;
  /** How it was chosen, for the start-up message. */
  readonly reason: '--config' | 'MCPEG_CONFIG' | './mcpeg.yaml' | 'embedded default';
}

/**
 * Finds the config: `--config`, else `$MCPEG_CONFIG`, else `./mcpeg.yaml`, else the embedded default.
 *
 * @example locateConfig({ flag: undefined, env: process.env, cwd: process.cwd() })
 */
export function locateConfig(options: {
  flag: string | undefined;
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
}): ConfigLocation {
  if (options.flag) return { path: resolve(options.cwd, options.flag), reason: '--config' };
  if (options.env.MCPEG_CONFIG) return { path: resolve(options.cwd, options.env.MCPEG_CONFIG), reason: 'MCPEG_CONFIG' };
  const local = resolve(options.cwd, 'mcpeg.yaml');
  if (existsSync(local)) return { path: local, reason: './mcpeg.yaml' };
  return { path: EMBEDDED_CONFIG_PATH, reason: 'embedded default' };
}

/** Reads a config file, turning a missing or unreadable file into a coded error that says what to do. */
export function readConfigText(location: ConfigLocation): string {
  try {
    return readFileSync(location.path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new GatewayError(
      'CONFIG_NOT_FOUND',
      `cannot read config ${location.path} (${code ?? String(error)}, chosen by ${location.reason}). ` +
        `Check the path, or run "mcpeg init" to write a starter mcpeg.yaml.`,
      { cause: error },
    );
  }
}
