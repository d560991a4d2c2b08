import {
  type CallToolResult,
  type CompleteResult,
  fromJsonSchema,
  type ListPromptsResult,
  type ListResourcesResult,
  type ListResourceTemplatesResult,
  type ListToolsResult,
} from '@modelcontextprotocol/server';
import type { Interceptor } from '../pipeline/interceptor.js';
import { GatewayError } from '../sdk/errors.js';
import type { Logger } from '../sdk/logger.js';
import type { CallContext, Completer, PromptResult, ResourceResult, ToolDefinition, ToolResult } from '../sdk/service-type.js';
import type { Catalog } from './catalog.js';
import { page } from './cursor.js';
import { fromService, toProtocolError, toToolResult } from './error-boundary.js';
import type { RequestScope } from './gateway.js';
import type { ServiceHost } from './service-host.js';

type Validator = ReturnType<typeof fromJsonSchema>;
const validators = new WeakMap<ToolDefinition, Validator>();

/**
 * Routes protocol requests into services through their pipelines, over one catalog snapshot.
 * Errors are mapped here and nowhere else (see error-boundary.ts).
 */
export class Dispatcher {
  readonly #catalog: Catalog;
  readonly #logger: Logger;
  readonly #pageSize: number;
  readonly #guard: Interceptor;
  readonly #closing: () => boolean;
  readonly #inFlight: Set<AbortController>;

  constructor(options: {
    catalog: Catalog;
    logger: Logger;
    pageSize: number;
    guard: Interceptor;
    closing: () => boolean;
    /** Shared by every snapshot's dispatcher, so shutdown sees all running calls. */
    inFlight: Set<AbortController>;
  }) {
    this.#inFlight = options.inFlight;
    this.#catalog = options.catalog;
    this.#logger = options.logger;
    this.#pageSize = options.pageSize;
    this.#guard = options.guard;
    this.#closing = options.closing;
  }

  /** Calls running now, across catalog snapshots. */
  get inFlight(): number {
    return this.#inFlight.size;
  }

  abortAll(): void {
    for (const controller of this.#inFlight) controller.abort(new GatewayError('SERVICE_STOPPING', 'the gateway is shutting down'));
  }

  listTools(cursor: string | undefined): ListToolsResult {
    const { items, nextCursor } = this.#page('tools', this.#catalog.tools, cursor);
    return { tools: items.map((entry) => entry.descriptor), ...(nextCursor ? { nextCursor } : {}) };
  }

  listPrompts(cursor: string | undefined): ListPromptsResult {
    const { items, nextCursor } = this.#page('prompts', this.#catalog.prompts, cursor);
    return { prompts: items.map((entry) => entry.descriptor), ...(nextCursor ? { nextCursor } : {}) };
  }

  listResources(cursor: string | undefined): ListResourcesResult {
    const { items, nextCursor } = this.#page('resources', this.#catalog.resources, cursor);
    return { resources: items.map((entry) => entry.descriptor), ...(nextCursor ? { nextCursor } : {}) };
  }

  listResourceTemplates(cursor: string | undefined): ListResourceTemplatesResult {
    const { items, nextCursor } = this.#page('templates', this.#catalog.templates, cursor);
    return { resourceTemplates: items.map((entry) => entry.descriptor), ...(nextCursor ? { nextCursor } : {}) };
  }

  #page<T>(list: string, items: readonly T[], cursor: string | undefined) {
    try {
      return page(list, items, cursor, this.#pageSize);
    } catch (error) {
      throw toProtocolError(error, this.#logger);
    }
  }

  /** `tools/call`: unknown tool → JSON-RPC error; bad arguments and service failures → `isError` results. */
  async callTool(name: string, args: Record<string, unknown> | undefined, scope: RequestScope): Promise<ToolResult> {
    const entry = this.#catalog.tool(name);
    if (!entry) throw toProtocolError(new GatewayError('UNKNOWN_TOOL', `Unknown tool: ${name}`), this.#logger);
    try {
      const input = await validate(entry.definition, name, entry.host.name, args ?? {});
      return await this.#run(entry.host, 'tools/call', name, scope, (ctx) => entry.definition.call(input, ctx));
    } catch (error) {
      return toToolResult(error, this.#logger) satisfies CallToolResult;
    }
  }

  async getPrompt(name: string, args: Record<string, string> | undefined, scope: RequestScope): Promise<PromptResult> {
    const entry = this.#catalog.prompt(name);
    if (!entry) throw toProtocolError(new GatewayError('UNKNOWN_PROMPT', `Unknown prompt: ${name}`), this.#logger);
    const missing = (entry.definition.arguments ?? []).filter((arg) => arg.required && args?.[arg.name] === undefined).map((arg) => arg.name);
    try {
      if (missing.length > 0) {
        throw new GatewayError('INVALID_ARGUMENTS', `prompt ${name} needs the argument(s) ${missing.join(', ')}`, { service: entry.host.name });
      }
      return await this.#run(entry.host, 'prompts/get', name, scope, (ctx) => entry.definition.get(args ?? {}, ctx));
    } catch (error) {
      throw toProtocolError(error, this.#logger);
    }
  }

  async readResource(uri: string, scope: RequestScope): Promise<ResourceResult> {
    const found = this.#catalog.resource(uri);
    try {
      if (!found) throw new GatewayError('UNKNOWN_RESOURCE', `Resource not found: ${uri}`, { data: { uri } });
      if ('entry' in found) {
        return await this.#run(found.entry.host, 'resources/read', uri, scope, (ctx) => found.entry.definition.read(ctx));
      }
      return await this.#run(found.template.host, 'resources/read', uri, scope, (ctx) =>
        found.template.definition.read(uri, found.variables, ctx),
      );
    } catch (error) {
      throw toProtocolError(error, this.#logger);
    }
  }

  /** `completion/complete` for a prompt argument or a resource-template variable; unknown refs complete to nothing. */
  async complete(
    ref: { type: string; name?: string; uri?: string },
    argument: { name: string; value: string },
    context: Record<string, string> | undefined,
    scope: RequestScope,
  ): Promise<CompleteResult> {
    let completer: Completer | undefined;
    let host: ServiceHost | undefined;
    if (ref.type === 'ref/prompt' && ref.name) {
      const entry = this.#catalog.prompt(ref.name);
      completer = entry?.definition.complete?.[argument.name];
      host = entry?.host;
    } else if (ref.type === 'ref/resource' && ref.uri) {
      const entry = this.#catalog.template(ref.uri);
      completer = entry?.definition.complete?.[argument.name];
      host = entry?.host;
    }
    if (!completer || !host) return { completion: { values: [], total: 0, hasMore: false } };
    try {
      const values = await this.#run(host, 'completion/complete', argument.name, scope, async () => completer(argument.value, { arguments: context ?? {} }));
      return { completion: { values: values.slice(0, 100), total: values.length, hasMore: values.length > 100 } };
    } catch (error) {
      throw toProtocolError(error, this.#logger);
    }
  }

  async subscribe(uri: string, subscribe: boolean, scope: RequestScope): Promise<void> {
    const found = this.#catalog.resource(uri);
    const host = found && ('entry' in found ? found.entry.host : found.template.host);
    const method = host && (subscribe ? host.instance.subscribe : host.instance.unsubscribe);
    if (!host || !method) return;
    try {
      await this.#run(host, subscribe ? 'resources/subscribe' : 'resources/unsubscribe', uri, scope, () => method.call(host.instance, uri));
    } catch (error) {
      throw toProtocolError(error, this.#logger);
    }
  }

  /** Runs one call through the memory guard and the service's pipeline, tracking it for graceful shutdown. */
  async #run<T>(host: ServiceHost, method: string, target: string, scope: RequestScope, handler: (ctx: CallContext) => Promise<T>): Promise<T> {
    if (this.#closing()) throw new GatewayError('SERVICE_STOPPING', 'the gateway is shutting down and takes no new calls', { service: host.name });
    const controller = new AbortController();
    const signal = AbortSignal.any([scope.signal, controller.signal]);
    this.#inFlight.add(controller);
    try {
      const guarded = this.#guard<T>((call) =>
        host.invoke(method, target, call.signal, async (callSignal) => {
          try {
            return await handler({ ...scope, signal: callSignal, service: host.name });
          } catch (error) {
            if (callSignal.aborted && callSignal.reason instanceof GatewayError) throw callSignal.reason;
            throw fromService(host.name, error);
          }
        }),
      );
      return await guarded({ service: host.name, method, target, signal });
    } catch (error) {
      if (scope.signal.aborted && !(error instanceof GatewayError && error.code === 'CALL_TIMEOUT')) {
        throw new GatewayError('CALL_CANCELLED', `${method} ${target} was cancelled by the client`, { service: host.name, cause: error });
      }
      throw error;
    } finally {
      this.#inFlight.delete(controller);
    }
  }
}

async function validate(definition: ToolDefinition, publicName: string, service: string, args: Record<string, unknown>): Promise<Record<string, unknown>> {
  let validator = validators.get(definition);
  if (!validator) {
    validator = fromJsonSchema(definition.inputSchema as Parameters<typeof fromJsonSchema>[0]);
    validators.set(definition, validator);
  }
  const result = await validator['~standard'].validate(args);
  if (result.issues) {
    const problems = result.issues.map((issue) => issue.message.replace(/^data\/?/, 'arguments/').replace(/^arguments\/ /, 'arguments ')).join('; ');
    throw new GatewayError('INVALID_ARGUMENTS', `invalid arguments for ${publicName}: ${problems}`, { service });
  }
  return args;
}

