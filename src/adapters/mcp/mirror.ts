import type { Client, Prompt, Resource, ResourceTemplateType, Tool } from '@modelcontextprotocol/client';
import { isSpecType } from '@modelcontextprotocol/client';
import { fromJsonSchema } from '@modelcontextprotocol/server';
import { z } from 'zod';
import type { Logger } from '../../sdk/logger.js';
import type {
  CallContext,
  Completer,
  PromptDefinition,
  PromptResult,
  ResourceDefinition,
  ResourceResult,
  ResourceTemplateDefinition,
  ToolDefinition,
  ToolResult,
} from '../../sdk/service-type.js';
import { asPlainTool } from './tasks.js';

export type ListKind = 'tools' | 'resources' | 'prompts';

/** What the mirrored definitions call back into: the relay of one upstream service. */
export interface Relay {
  callTool(tool: Tool, args: Record<string, unknown>, ctx: CallContext): Promise<ToolResult>;
  getPrompt(name: string, args: Record<string, string>, ctx: CallContext): Promise<PromptResult>;
  readResource(uri: string, ctx: CallContext): Promise<ResourceResult>;
  complete(ref: { type: 'ref/prompt'; name: string } | { type: 'ref/resource'; uri: string }, name: string, value: string, context: Record<string, string>): Promise<string[]>;
}

/** What the upstream listed, as it listed it. */
export interface UpstreamLists {
  readonly tools: readonly unknown[];
  readonly resources: readonly unknown[];
  readonly templates: readonly unknown[];
  readonly prompts: readonly unknown[];
}

/** The upstream's declarations, as gateway definitions; `signature` tells whether a re-list changed anything. */
export interface Mirror {
  readonly tools: readonly ToolDefinition[];
  readonly resources: readonly ResourceDefinition[];
  readonly templates: readonly ResourceTemplateDefinition[];
  readonly prompts: readonly PromptDefinition[];
  readonly signature: Readonly<Record<ListKind, string>>;
  /** The lists it was built from: a re-list of one kind rebuilds from these, never from the definitions. */
  readonly lists: UpstreamLists;
}

export const EMPTY_MIRROR: Mirror = {
  tools: [],
  resources: [],
  templates: [],
  prompts: [],
  signature: { tools: '[]', resources: '[[],[]]', prompts: '[]' },
  lists: { tools: [], resources: [], templates: [], prompts: [] },
};

/** Most pages followed per list: a server whose cursors never end is cut off there, with a warning. */
const MAX_PAGES = 100;
const Page = (key: string) => z.looseObject({ [key]: z.array(z.unknown()), nextCursor: z.string().optional() });

/**
 * Lists every page of one kind from the upstream, keeping what is valid: an entry that breaks the
 * MCP schema, a tool whose input schema the gateway cannot compile, or a duplicate name is left out
 * with a warning that names it — the rest of the upstream keeps working.
 */
export async function listAll(client: Client, method: 'tools/list' | 'resources/list' | 'resources/templates/list' | 'prompts/list', logger: Logger, signal?: AbortSignal): Promise<unknown[]> {
  const key = { 'tools/list': 'tools', 'resources/list': 'resources', 'resources/templates/list': 'resourceTemplates', 'prompts/list': 'prompts' }[method];
  const items: unknown[] = [];
  const seen = new Set<string>();
  let cursor: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const result = (await client.request({ method, params: cursor === undefined ? {} : { cursor } }, Page(key), { signal })) as Record<string, unknown[]> & {
      nextCursor?: string;
    };
    items.push(...(result[key] ?? []));
    cursor = result.nextCursor;
    if (cursor === undefined || cursor === '') return items;
    if (seen.has(cursor)) {
      logger.warn({ method, cursor }, `${method}: the upstream returned a cursor it had already returned; stopped paging there`);
      return items;
    }
    seen.add(cursor);
  }
  logger.warn({ method, pages: MAX_PAGES }, `${method}: the upstream still had more pages after ${MAX_PAGES}; the rest is not served`);
  return items;
}

/** Keeps the entries the predicate accepts and whose identity is not taken yet; warns about the others. */
function keep<T>(items: readonly unknown[], kind: string, valid: (item: unknown) => item is T, id: (item: T) => string, logger: Logger, extra?: (item: T) => string | undefined): T[] {
  const out: T[] = [];
  const ids = new Set<string>();
  for (const item of items) {
    const label = describe(item);
    if (!valid(item)) {
      logger.warn({ [kind]: label }, `the upstream's ${kind} ${label} does not match the MCP schema; it is not served`);
      continue;
    }
    const key = id(item);
    if (ids.has(key)) {
      logger.warn({ [kind]: key }, `the upstream lists ${kind} ${key} twice; the second one is not served`);
      continue;
    }
    const problem = extra?.(item);
    if (problem) {
      logger.warn({ [kind]: key }, `the upstream's ${kind} ${key} ${problem}; it is not served`);
      continue;
    }
    ids.add(key);
    out.push(item);
  }
  return out;
}

function describe(item: unknown): string {
  const record = item as { name?: unknown; uri?: unknown; uriTemplate?: unknown } | null;
  const name = record?.name ?? record?.uri ?? record?.uriTemplate;
  return typeof name === 'string' ? JSON.stringify(name) : '(unnamed)';
}

function schemaProblem(tool: Tool): string | undefined {
  try {
    fromJsonSchema(tool.inputSchema as Parameters<typeof fromJsonSchema>[0]);
    return undefined;
  } catch (error) {
    return `has an input schema the gateway cannot use (${(error as Error).message})`;
  }
}

/** Builds the gateway's definitions from what the upstream listed; every call goes to `relay`. */
export function buildMirror(
  lists: UpstreamLists,
  relay: Relay,
  options: { logger: Logger; completions: boolean },
): Mirror {
  const { logger } = options;
  const tools = keep(lists.tools, 'tool', isSpecType.Tool as (x: unknown) => x is Tool, (tool) => tool.name, logger, schemaProblem);
  const resources = keep(lists.resources, 'resource', isSpecType.Resource as (x: unknown) => x is Resource, (resource) => resource.uri, logger);
  const templates = keep(lists.templates, 'resource template', isSpecType.ResourceTemplate as (x: unknown) => x is ResourceTemplateType, (t) => t.uriTemplate, logger);
  const prompts = keep(lists.prompts, 'prompt', isSpecType.Prompt as (x: unknown) => x is Prompt, (prompt) => prompt.name, logger);
  const completer = (ref: Parameters<Relay['complete']>[0], name: string): Completer => (value, context) => relay.complete(ref, name, value, context.arguments);
  return {
    tools: tools.map((tool) => ({ ...asPlainTool(tool), call: (args, ctx) => relay.callTool(tool, args, ctx) })),
    resources: resources.map((resource) => ({ ...resource, read: (ctx) => relay.readResource(resource.uri, ctx) })),
    templates: templates.map((template) => ({
      ...template,
      read: (uri, _variables, ctx) => relay.readResource(uri, ctx),
      ...(options.completions
        ? { complete: Object.fromEntries(templateVariables(template.uriTemplate).map((name) => [name, completer({ type: 'ref/resource', uri: template.uriTemplate }, name)])) }
        : {}),
    })),
    prompts: prompts.map((prompt) => ({
      ...prompt,
      get: (args, ctx) => relay.getPrompt(prompt.name, args, ctx),
      ...(options.completions
        ? { complete: Object.fromEntries((prompt.arguments ?? []).map((arg) => [arg.name, completer({ type: 'ref/prompt', name: prompt.name }, arg.name)])) }
        : {}),
    })),
    signature: {
      tools: JSON.stringify(tools),
      resources: JSON.stringify([resources, templates]),
      prompts: JSON.stringify(prompts),
    },
    lists,
  };
}

/** Variable names of an RFC 6570 URI template: `file:///{dir}/{+path}{?q,lang}` → dir, path, q, lang. */
export function templateVariables(uriTemplate: string): string[] {
  const names = new Set<string>();
  for (const [, body] of uriTemplate.matchAll(/\{([^}]*)\}/g)) {
    for (const part of body!.replace(/^[+#./;?&]/, '').split(',')) {
      const name = part.replace(/[*]$|:\d+$/, '').trim();
      if (name) names.add(name);
    }
  }
  return [...names];
}
