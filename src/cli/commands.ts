import { existsSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { CallToolResult } from '@modelcontextprotocol/server';
import { locateConfig, readConfigText } from '../config/discover.js';
import { buildGateway, formatIssues, loadConfig } from '../bootstrap.js';
import type { RequestScope } from '../core/gateway.js';
import { createLogger } from '../observability/logger.js';
import { isGatewayError } from '../sdk/errors.js';
import { ANONYMOUS } from '../transports/mcp-server.js';
import { STARTER_CONFIG } from './starter-config.js';
import { CliError, loadGateway } from './runtime.js';

/** `mcpeg validate`: exit 0 and a summary when valid; every problem with path and line otherwise. */
export async function validate(options: { config?: string }): Promise<number> {
  const location = locateConfig({ flag: options.config, env: process.env, cwd: process.cwd() });
  let text: string;
  try {
    text = readConfigText(location);
  } catch (error) {
    throw new CliError(isGatewayError(error) ? error.message : String(error));
  }
  const logger = createLogger({ level: 'error' });
  const result = await loadConfig({ text, origin: location.path, env: process.env, logger });
  if (!result.ok) {
    console.error(formatIssues(location.path, result.issues));
    console.error(`\n${result.issues.length} problem${result.issues.length === 1 ? '' : 's'} in ${location.path}`);
    return 1;
  }
  // Building the gateway creates instances (no I/O) and the catalog, so name collisions show here too.
  try {
    await buildGateway({ config: result.config, registry: result.registry, logger }).shutdown(1000);
  } catch (error) {
    console.error(`${location.path}  ${(error as Error).message}`);
    console.error(`\n1 problem in ${location.path}`);
    return 1;
  }
  const enabled = result.config.services.filter((service) => service.enabled);
  console.log(`${location.path} is valid: ${enabled.length} enabled service(s) of ${result.config.services.length}`);
  for (const service of result.config.services) {
    console.log(`  ${service.name.padEnd(24)} ${service.type.padEnd(16)} ${service.enabled ? 'enabled' : 'disabled'}`);
  }
  return 0;
}

/** `mcpeg tools`: the catalog as clients see it, without starting any service. */
export async function tools(options: { config?: string; json?: boolean }): Promise<number> {
  const { gateway } = await loadGateway({ config: options.config, logLevel: 'error' });
  const entries = gateway.catalog.tools;
  if (options.json) {
    console.log(JSON.stringify(entries.map((entry) => ({ ...entry.descriptor, service: entry.host.name })), null, 2));
  } else if (entries.length === 0) {
    console.log('no tools: the config enables no service that declares tools');
  } else {
    const width = Math.min(48, Math.max(...entries.map((entry) => entry.name.length)));
    for (const entry of entries) {
      const description = (entry.descriptor.description ?? '').split('\n')[0]!.slice(0, 100);
      console.log(`${entry.name.padEnd(width)}  ${entry.host.name.padEnd(16)}  ${description}`);
    }
  }
  await gateway.shutdown(1000);
  return 0;
}

/** `mcpeg call TOOL --args JSON`: calls one tool in-process and prints the result; exit 1 when it is an error. */
export async function call(name: string, options: { config?: string; args?: string; json?: boolean }): Promise<number> {
  let args: Record<string, unknown> = {};
  if (options.args !== undefined) {
    try {
      args = JSON.parse(options.args) as Record<string, unknown>;
    } catch (error) {
      throw new CliError(`--args is not valid JSON (${(error as Error).message}); write it like --args '{"sql":"select 1"}'`);
    }
    if (args === null || typeof args !== 'object' || Array.isArray(args)) throw new CliError('--args must be a JSON object, like {"key":"value"}');
  }
  const { gateway } = await loadGateway({ config: options.config, logLevel: 'error' });
  const controller = new AbortController();
  process.once('SIGINT', () => controller.abort(new Error('interrupted')));
  const scope: RequestScope = {
    signal: controller.signal,
    era: 'modern',
    principal: ANONYMOUS,
    clientCapabilities: {},
    meta: undefined,
    progress: async (progress, total, message) => {
      process.stderr.write(`progress ${progress}${total ? `/${total}` : ''}${message ? ` ${message}` : ''}\n`);
    },
    log: async (level, data) => {
      process.stderr.write(`[${level}] ${typeof data === 'string' ? data : JSON.stringify(data)}\n`);
    },
    inputResponses: undefined,
    requestState: () => undefined,
    mintRequestState: async () => {
      throw new CliError('this tool asks for user input, which mcpeg call cannot provide; call it from an MCP client');
    },
    elicit: () => Promise.reject(new CliError('this tool asks for user input, which mcpeg call cannot provide')),
    createMessage: () => Promise.reject(new CliError('this tool asks the client for LLM sampling, which mcpeg call cannot provide')),
    listRoots: async () => ({ roots: [] }),
  };
  try {
    const result = await gateway.dispatcher.callTool(name, args, scope);
    if (result.resultType === 'input_required') {
      console.error('the tool asked for user input (input_required), which mcpeg call cannot provide; call it from an MCP client');
      return 1;
    }
    const toolResult = result as CallToolResult;
    const texts = (toolResult.content ?? []).filter((block) => block.type === 'text');
    if (options.json && toolResult.structuredContent !== undefined) console.log(JSON.stringify(toolResult.structuredContent, null, 2));
    else if (texts.length > 0) for (const block of texts) console.log(block.text);
    else if (toolResult.structuredContent !== undefined) console.log(JSON.stringify(toolResult.structuredContent, null, 2));
    else for (const block of toolResult.content ?? []) console.log(JSON.stringify(block));
    return toolResult.isError ? 1 : 0;
  } catch (error) {
    throw new CliError((error as Error).message);
  } finally {
    await gateway.shutdown(2000);
  }
}

/** `mcpeg init`: writes a commented starter mcpeg.yaml; never overwrites without --force. */
export function init(options: { path?: string; force?: boolean }): number {
  const path = resolve(process.cwd(), options.path ?? 'mcpeg.yaml');
  if (existsSync(path) && !options.force) throw new CliError(`${path} exists already; pass --force to overwrite it`);
  writeFileSync(path, STARTER_CONFIG, { mode: 0o644 });
  console.log(`wrote ${path} — check it with: mcpeg validate --config ${options.path ?? 'mcpeg.yaml'}`);
  return 0;
}
