import { defineServiceType } from '../../sdk/index.js';
import { type ScriptConfig, scriptConfigSchema } from './config.js';
import { ScriptService } from './service.js';

/**
 * `script`: local programs and scripts as tools, declared in config. Each tool runs one program
 * with an argv template filled from typed parameters — never through a shell; a parameter becomes
 * exactly one argv element and never an option — in a process group of its own that is killed on
 * timeout or cancellation. See docs/services/script.md.
 *
 * @example
 * services:
 *   ops:
 *     driver: script
 *     commands:
 *       disk_usage:
 *         description: Size of a directory
 *         command: du
 *         args: [-sh, --, '{path}']
 *         parameters: { path: { type: string } }
 *         read_only: true
 */
export const scriptServiceType = defineServiceType<ScriptConfig>({
  name: 'script',
  version: '1.0.0',
  category: 'script',
  description: 'Local programs and scripts as tools: argv templates with typed parameters, no shell, timeouts that kill the process group',
  capabilities: ['tools'],
  configSchema: scriptConfigSchema,
  create: (ctx) => new ScriptService(ctx),
});

export default scriptServiceType;
