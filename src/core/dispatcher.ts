import {
  type CallToolResult,
  type CompleteResult,
  fromJsonSchema,
  type ListPromptsResult,
  type ListResourcesResult,
  type ListResourceTemplatesResult,
  type ListToolsResult,
} from '@modelcontextprotocol/server';
import { CallAbort } from '../pipeline/call-abort.js';
import { abortableCall, type Call, type Interceptor } from '../pipeline/interceptor.js';
import { GatewayError } from '../sdk/errors.js';
import type { Logger } from '../sdk/logger.js';
import type { CallContext, Completer, Principal, PromptResult, ResourceResult, ToolDefinition, ToolResult } from '../sdk/service-type.js';
import type { AccessTarget } from '../security/access-policy.js';
import { type CallGuard, namedTarget, resourceTarget } from '../security/call-guard.js';
import { callChannel, observeCall } from './call-events.js';
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
  readonly #inFlight: Map<CallAbort, ServiceHost>;
  /** Authorization, per-service rate limits and secret redaction; none means everything is allowed. */
  readonly #security: CallGuard | undefined;

  constructor(options: {
    catalog: Catalog;
    logger: Logger;
    pageSize: number;
    guard: Interceptor;
    closing: () => boolean;
    /** Shared by every snapshot's dispatcher, so shutdown sees all running calls. */
    inFlight: Map<CallAbort, ServiceHost>;
    security?: CallGuard;
  }) {
    this.#security = options.security;
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
    for (const abort of this.#inFlight.keys()) abort.abort(new GatewayError('SERVICE_STOPPING', 'the gateway is shutting down'));
  }

  listTools(cursor: string | undefined, principal?: Principal): ListToolsResult {
    const { items, nextCursor } = this.#page('tools', this.#visible(principal, this.#catalog.tools, (e) => namedTarget('tool', e, this.#security!.separator)), cursor);
    return { tools: items.map((entry) => entry.descriptor), ...(nextCursor ? { nextCursor } : {}) };
  }

  listPrompts(cursor: string | undefined, principal?: Principal): ListPromptsResult {
    const { items, nextCursor } = this.#page('prompts', this.#visible(principal, this.#catalog.prompts, (e) => namedTarget('prompt', e, this.#security!.separator)), cursor);
    return { prompts: items.map((entry) => entry.descriptor), ...(nextCursor ? { nextCursor } : {}) };
  }

  listResources(cursor: string | undefined, principal?: Principal): ListResourcesResult {
    const { items, nextCursor } = this.#page('resources', this.#visible(principal, this.#catalog.resources, (e) => resourceTarget(e.host.name, e.descriptor.uri)), cursor);
    return { resources: items.map((entry) => entry.descriptor), ...(nextCursor ? { nextCursor } : {}) };
  }

  listResourceTemplates(cursor: string | undefined, principal?: Principal): ListResourceTemplatesResult {
    const { items, nextCursor } = this.#page(
      'templates',
      this.#visible(principal, this.#catalog.templates, (e) => resourceTarget(e.host.name, e.descriptor.uriTemplate, e.descriptor.uriTemplate)),
      cursor,
    );
    return { resourceTemplates: items.map((entry) => entry.descriptor), ...(nextCursor ? { nextCursor } : {}) };
  }

  /** Lists show only what the principal may call (a caller that passes no principal sees everything). */
  #visible<T>(principal: Principal | undefined, items: readonly T[], target: (item: T) => AccessTarget): readonly T[] {
    const security = this.#security;
    if (!security?.policy.enforced || !principal) return items;
    return items.filter((item) => security.may(principal, target(item)));
  }

  #page<T>(list: string, items: readonly T[], cursor: string | undefined) {
    try {
      return page(list, items, cursor, this.#pageSize);
    } catch (error) {
      throw toProtocolError(error, this.#logger);
    }
  }

  /**
   * `tools/call`: unknown tool → JSON-RPC error; bad arguments and service failures → `isError` results.
   * `owner`: the abort state behind `scope.signal`, when the caller made it for this call alone and lends
   * it (the fast path does); the call then aborts it itself instead of linking one more.
   */
  async callTool(name: string, args: Record<string, unknown> | undefined, scope: RequestScope, owner?: CallAbort): Promise<ToolResult> {
    const entry = this.#catalog.tool(name);
    if (!entry) throw toProtocolError(new GatewayError('UNKNOWN_TOOL', `Unknown tool: ${name}`), this.#logger);
    const run = async () => {
      // Checked on the entry the catalog resolved, never on the client's spelling of the name.
      if (this.#security?.active) await this.#security.admit(scope.principal, namedTarget('tool', entry, this.#security.separator), entry.name);
      const input = await validate(entry.definition, name, entry.host.name, args ?? {});
      return this.#run(entry.host, 'tools/call', name, scope, (ctx) => entry.definition.call(input, ctx), owner);
    };
    try {
      // Observers (metrics, tracing, audit) see every call, refused arguments included; none attached costs nothing.
      if (!callChannel.hasSubscribers) return await run();
      return await observeCall({ service: entry.host.name, method: 'tools/call', target: name, arguments: args, scope }, run);
    } catch (error) {
      return toToolResult(error, this.#logger) satisfies CallToolResult;
    }
  }

  async getPrompt(name: string, args: Record<string, string> | undefined, scope: RequestScope): Promise<PromptResult> {
    const entry = this.#catalog.prompt(name);
    if (!entry) throw toProtocolError(new GatewayError('UNKNOWN_PROMPT', `Unknown prompt: ${name}`), this.#logger);
    const missing = (entry.definition.arguments ?? []).filter((arg) => arg.required && args?.[arg.name] === undefined).map((arg) => arg.name);
    try {
      if (this.#security?.active) await this.#security.admit(scope.principal, namedTarget('prompt', entry, this.#security.separator), entry.name);
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
      const service = 'entry' in found ? found.entry.host.name : found.template.host.name;
      const template = 'entry' in found ? undefined : found.template.descriptor.uriTemplate;
      if (this.#security?.active) await this.#security.admit(scope.principal, resourceTarget(service, uri, template), uri);
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
    let target: AccessTarget | undefined;
    if (ref.type === 'ref/prompt' && ref.name) {
      const entry = this.#catalog.prompt(ref.name);
      completer = entry?.definition.complete?.[argument.name];
      host = entry?.host;
      if (entry && this.#security) target = namedTarget('prompt', entry, this.#security.separator);
    } else if (ref.type === 'ref/resource' && ref.uri) {
      const entry = this.#catalog.template(ref.uri);
      completer = entry?.definition.complete?.[argument.name];
      host = entry?.host;
      if (entry) target = resourceTarget(entry.host.name, entry.descriptor.uriTemplate, entry.descriptor.uriTemplate);
    }
    // What a principal may not use completes to nothing, exactly like what does not exist.
    if (target && this.#security && !this.#security.may(scope.principal, target)) completer = undefined;
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
      if (this.#security?.active) await this.#security.admit(scope.principal, resourceTarget(host.name, uri, 'template' in found! ? found.template.descriptor.uriTemplate : undefined), uri);
      await this.#run(host, subscribe ? 'resources/subscribe' : 'resources/unsubscribe', uri, scope, () => method.call(host.instance, uri));
    } catch (error) {
      throw toProtocolError(error, this.#logger);
    }
  }

  /** Configured secret values never reach a client or a log inside a service's error message. */
  #redacted(error: unknown): unknown {
    if (this.#security && error instanceof Error) error.message = this.#security.redact(error.message);
    return error;
  }

  /**
   * Runs one call through the memory guard and the service's pipeline, tracking it for graceful
   * shutdown. `owner`: the caller's abort state for this call alone (the fast path lends it), used as
   * is instead of linking a new one to `scope.signal`; no AbortSignal is made unless someone reads one.
   */
  async #run<T>(
    host: ServiceHost,
    method: string,
    target: string,
    scope: RequestScope,
    handler: (ctx: CallContext) => Promise<T>,
    owner?: CallAbort,
  ): Promise<T> {
    if (this.#closing()) throw new GatewayError('SERVICE_STOPPING', 'the gateway is shutting down and takes no new calls', { service: host.name });
    const link = owner ? { abort: owner, unlink: () => {} } : CallAbort.linkedTo(scope.signal);
    const { abort } = link;
    this.#inFlight.set(abort, host);
    try {
      const guarded = this.#guard<T>((call) =>
        host.invoke(call, async (hostCall) => {
          try {
            return await handler(new ServiceCallContext(scope, host.name, hostCall));
          } catch (error) {
            if (abort.aborted && abort.reason instanceof GatewayError) throw abort.reason;
            throw this.#redacted(fromService(host.name, error));
          }
        }),
      );
      return await guarded(abortableCall(host.name, method, target, abort));
    } catch (error) {
      // The gateway's own aborts (timeout, shutdown) carry a GatewayError; anything else is the client's.
      if (abort.aborted && !(abort.reason instanceof GatewayError) && !(error instanceof GatewayError && error.code === 'CALL_TIMEOUT')) {
        throw new GatewayError('CALL_CANCELLED', `${method} ${target} was cancelled by the client`, { service: host.name, cause: error });
      }
      throw error;
    } finally {
      link.unlink();
      this.#inFlight.delete(abort);
    }
  }
}

/**
 * The context a service's handler gets: the request scope, its service name and the call's signal. A
 * class with every field its own, not `{ ...scope, … }`: a spread with more properties after it takes
 * V8's slow path, which cost more than the rest of a plain call. `signal` is an own enumerable
 * accessor: the AbortSignal (several microseconds to make) exists only once a service reads it, and a
 * service that spreads its context still gets it.
 */
class ServiceCallContext implements CallContext {
  declare readonly signal: AbortSignal;
  readonly era: CallContext['era'];
  readonly principal: CallContext['principal'];
  readonly clientCapabilities: CallContext['clientCapabilities'];
  readonly meta: CallContext['meta'];
  readonly progress: CallContext['progress'];
  readonly log: CallContext['log'];
  readonly inputResponses: CallContext['inputResponses'];
  readonly requestState: CallContext['requestState'];
  readonly mintRequestState: CallContext['mintRequestState'];
  readonly elicit: CallContext['elicit'];
  readonly createMessage: CallContext['createMessage'];
  readonly listRoots: CallContext['listRoots'];

  constructor(
    scope: RequestScope,
    readonly service: string,
    call: Call,
  ) {
    this.era = scope.era;
    this.principal = scope.principal;
    this.clientCapabilities = scope.clientCapabilities;
    this.meta = scope.meta;
    this.progress = scope.progress;
    this.log = scope.log;
    this.inputResponses = scope.inputResponses;
    this.requestState = scope.requestState;
    this.mintRequestState = scope.mintRequestState;
    this.elicit = scope.elicit;
    this.createMessage = scope.createMessage;
    this.listRoots = scope.listRoots;
    // Last: an accessor added to an instance changes its shape, and fields stored after it get slow.
    Object.defineProperty(this, 'signal', { get: () => call.signal, enumerable: true });
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

