import { defineServiceType } from '../../sdk/define-service-type.js';
import type { ServiceType } from '../../sdk/service-type.js';
import { type McpConfig, mcpConfigSchema } from './config.js';
import { UpstreamService } from './service.js';

const VERSION = '1.0.0';

/**
 * `mcp`: any MCP server — a stdio program the gateway launches, or a Streamable HTTP / legacy SSE
 * endpoint — of either protocol era, served as a gateway service with its tools, resources,
 * templates, prompts, completions and subscriptions. See docs/federation.md.
 *
 * @example
 * services:
 *   everything:
 *     type: mcp
 *     command: npx
 *     args: [-y, '@modelcontextprotocol/server-everything']
 */
export const mcpServiceType: ServiceType<McpConfig> = defineServiceType({
  name: 'mcp',
  version: VERSION,
  category: 'mcp',
  description: 'An upstream MCP server (stdio or HTTP, either protocol era) served through the gateway',
  capabilities: ['tools', 'resources', 'prompts', 'completions', 'subscriptions'],
  // Its tools are known only once connected: start with the gateway so the first tools/list is complete.
  eager: true,
  configSchema: mcpConfigSchema,
  create: (ctx) => new UpstreamService(ctx, VERSION),
});

export default mcpServiceType;
