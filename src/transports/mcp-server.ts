import {
  type AuthInfo,
  type ClientCapabilities,
  createRequestStateCodec,
  type LoggingLevel,
  type RequestId,
  type McpRequestContext,
  Server,
  type ServerContext,
} from '@modelcontextprotocol/server';
import type { Dispatcher } from '../core/dispatcher.js';
import type { Gateway, RequestScope } from '../core/gateway.js';
import type { Era } from '../sdk/service-type.js';
import { ANONYMOUS, principalOf } from '../security/principal.js';
import { GATEWAY_VERSION } from '../version.js';
import { type CallOutcome, passesLogThreshold } from './fast-tool-call.js';
import { logParams, progressParams } from './notifications.js';

export { ANONYMOUS };

/** A long-lived server instance (stdio connection or legacy HTTP session) that receives change notifications. */
export interface LiveServer {
  readonly server: Server;
  readonly era: Era;
  /** Legacy-era `resources/subscribe`; modern-era instances filter through their listen streams. */
  readonly subscriptions: Set<string>;
}

/**
 * Builds the SDK `Server` instances the front doors serve: every MCP method delegates to the
 * gateway's dispatcher. One factory per front door; it owns the request-state key, so MRTR state
 * minted by one instance verifies in another.
 */
export class McpServerFactory {
  readonly #gateway: Gateway;
  readonly #codec = createRequestStateCodec<unknown>({ key: crypto.getRandomValues(new Uint8Array(32)), ttlSeconds: 900 });
  /** Instances that outlive one request and must be told about catalog changes themselves. */
  readonly live = new Set<LiveServer>();
  /** Outcomes of calls the fast path ran, for the SDK to encode when it is handed the same request. */
  readonly #handedOff = new WeakMap<object, Map<RequestId, CallOutcome>>();
  #serverInfo: { config: Gateway['config']; info: { readonly name: string; readonly version: string }; json: string } | undefined;
  /** Legacy-era `logging/setLevel` per instance, shared by the SDK's path and the fast path. */
  readonly #logLevels = new WeakMap<Server, LoggingLevel>();

  constructor(gateway: Gateway) {
    this.#gateway = gateway;
  }

  /** The identity every instance announces (`serverInfo`), made once per config. */
  get serverInfo(): { readonly name: string; readonly version: string } {
    const config = this.#gateway.config;
    if (this.#serverInfo?.config !== config) {
      const info = Object.freeze({ name: config.global.server_name, version: GATEWAY_VERSION });
      this.#serverInfo = { config, info, json: JSON.stringify(info) };
    }
    return this.#serverInfo.info;
  }

  /** {@link serverInfo} as JSON. */
  get serverInfoJson(): string {
    void this.serverInfo;
    return this.#serverInfo!.json;
  }

  /** Whether a legacy instance's client wants log messages at `level` (everything until it sets a level). */
  wantsLog(server: Server, level: LoggingLevel): boolean {
    return passesLogThreshold(level, this.#logLevels.get(server));
  }

  mintRequestState(payload: unknown): Promise<string> {
    return this.#codec.mint(payload);
  }

  /**
   * The fast path ran call `id` already: when the SDK serves it — in the HTTP `request`, or on the
   * stdio connection of `server` — its `tools/call` handler answers with this outcome instead of
   * running the call again, so the SDK validates and encodes it.
   */
  handOff(where: Request | Server, id: RequestId, outcome: CallOutcome): void {
    let pending = this.#handedOff.get(where);
    if (!pending) this.#handedOff.set(where, (pending = new Map()));
    pending.set(id, outcome);
  }

  /** Forgets an outcome handed off for call `id` that the SDK answered without taking it (it refused the request first). */
  dropHandOff(where: Request | Server, id: RequestId): void {
    this.#handedOff.get(where)?.delete(id);
  }

  #takeHandedOff(where: object | undefined, id: RequestId): CallOutcome | undefined {
    const pending = where && this.#handedOff.get(where);
    const outcome = pending?.get(id);
    if (outcome) pending!.delete(id);
    return outcome;
  }

  /** The factory the SDK serving entries call; `track` keeps the instance in `live` until it closes. */
  create = (context: Pick<McpRequestContext, 'era' | 'authInfo'>, track = false): Server => {
    const { global } = this.#gateway.config;
    const server = new Server(
      { name: global.server_name, version: GATEWAY_VERSION },
      {
        capabilities: {
          tools: { listChanged: true },
          resources: { subscribe: true, listChanged: true },
          prompts: { listChanged: true },
          completions: {},
          logging: {},
        },
        ...(global.instructions ? { instructions: global.instructions } : {}),
        cacheHints: {
          'tools/list': { ttlMs: 60_000, cacheScope: 'private' },
          'prompts/list': { ttlMs: 60_000, cacheScope: 'private' },
          'resources/list': { ttlMs: 60_000, cacheScope: 'private' },
          'resources/templates/list': { ttlMs: 60_000, cacheScope: 'private' },
          'resources/read': { ttlMs: 0, cacheScope: 'private' },
          'server/discover': { ttlMs: 60_000, cacheScope: 'private' },
        },
        requestState: { verify: (state, ctx) => this.#codec.verify(state, ctx) },
      },
    );
    const era: Era = context.era;
    const live: LiveServer = { server, era, subscriptions: new Set() };
    const scope = (ctx: ServerContext): RequestScope => this.#scope(server, era, ctx, ctx.http?.authInfo ?? context.authInfo);
    const dispatcher = () => this.#gateway.dispatcher;
    // A legacy session's requests each carry their own credentials; a modern request is its own context.
    const who = (ctx: ServerContext) => principalOf(ctx.http?.authInfo ?? context.authInfo);

    server.setRequestHandler('tools/list', async (request, ctx) => dispatcher().listTools(request.params?.cursor, who(ctx)));
    server.setRequestHandler('tools/call', async (request, ctx) => {
      const handedOff = this.#takeHandedOff(ctx.http?.req ?? server, ctx.mcpReq.id);
      if (handedOff) {
        if ('error' in handedOff) throw handedOff.error;
        return handedOff.result as Awaited<ReturnType<Dispatcher['callTool']>>;
      }
      return dispatcher().callTool(request.params.name, request.params.arguments, scope(ctx));
    });
    server.setRequestHandler('prompts/list', async (request, ctx) => dispatcher().listPrompts(request.params?.cursor, who(ctx)));
    server.setRequestHandler('prompts/get', async (request, ctx) =>
      dispatcher().getPrompt(request.params.name, request.params.arguments, scope(ctx)),
    );
    server.setRequestHandler('resources/list', async (request, ctx) => dispatcher().listResources(request.params?.cursor, who(ctx)));
    server.setRequestHandler('resources/templates/list', async (request, ctx) =>
      dispatcher().listResourceTemplates(request.params?.cursor, who(ctx)),
    );
    server.setRequestHandler('resources/read', async (request, ctx) => dispatcher().readResource(request.params.uri, scope(ctx)));
    server.setRequestHandler('completion/complete', async (request, ctx) =>
      dispatcher().complete(request.params.ref, request.params.argument, request.params.context?.arguments, scope(ctx)),
    );
    if (era === 'legacy') {
      server.setRequestHandler('logging/setLevel', async (request) => {
        this.#logLevels.set(server, request.params.level);
        return {};
      });
      server.setRequestHandler('resources/subscribe', async (request, ctx) => {
        await dispatcher().subscribe(request.params.uri, true, scope(ctx));
        live.subscriptions.add(request.params.uri);
        return {};
      });
      server.setRequestHandler('resources/unsubscribe', async (request, ctx) => {
        live.subscriptions.delete(request.params.uri);
        await dispatcher().subscribe(request.params.uri, false, scope(ctx));
        return {};
      });
    }
    if (track) {
      this.live.add(live);
      const previous = server.onclose;
      server.onclose = () => {
        this.live.delete(live);
        previous?.();
      };
    }
    return server;
  };

  #scope(server: Server, era: Era, ctx: ServerContext, authInfo: AuthInfo | undefined): RequestScope {
    const request = ctx.mcpReq;
    const progressToken = request._meta?.progressToken;
    const clientCapabilities: ClientCapabilities | undefined =
      era === 'modern' ? ((request.envelope as Record<string, unknown> | undefined)?.['io.modelcontextprotocol/clientCapabilities'] as ClientCapabilities | undefined) : server.getClientCapabilities();
    return {
      signal: request.signal,
      era,
      principal: principalOf(authInfo),
      clientCapabilities,
      meta: withTraceHeaders(request._meta, ctx.http?.req?.headers),
      progress: async (progress, total, message) => {
        if (progressToken === undefined) return;
        await request.notify({ method: 'notifications/progress', params: progressParams(progressToken, progress, total, message) });
      },
      log: (level, data, logger) => {
        if (era === 'modern') return request.log(level, data, logger);
        if (!this.wantsLog(server, level)) return Promise.resolve();
        return request.notify({ method: 'notifications/message', params: logParams(level, data, logger) });
      },
      inputResponses: request.inputResponses,
      requestState: <T>() => request.requestState<T>(),
      mintRequestState: (payload) => this.#codec.mint(payload),
      // Related to this call, so on a legacy HTTP session they travel on the call's own stream.
      elicit: (params) => request.elicitInput(params, { relatedRequestId: request.id }),
      createMessage: (params) =>
        request.requestSampling(params, { relatedRequestId: request.id }) as ReturnType<RequestScope['createMessage']>,
      listRoots: () => request.send({ method: 'roots/list' }),
    };
  }

  /** Tells every long-lived instance that lists changed, and subscribed ones that a resource did. */
  broadcastListChanged(kinds: readonly ('tools' | 'resources' | 'prompts')[]): void {
    for (const { server } of this.live) {
      for (const kind of kinds) {
        const send =
          kind === 'tools' ? server.sendToolListChanged() : kind === 'prompts' ? server.sendPromptListChanged() : server.sendResourceListChanged();
        Promise.resolve(send).catch(() => {});
      }
    }
  }

  broadcastResourceUpdated(uri: string): void {
    for (const live of this.live) {
      if (live.era === 'modern' || live.subscriptions.has(uri)) Promise.resolve(live.server.sendResourceUpdated({ uri })).catch(() => {});
    }
  }
}

/**
 * W3C trace context travels in `_meta` (`traceparent`, `tracestate`); a client that sent it only as HTTP
 * headers gets it copied there, so tracing and upstream MCP services see one place. `_meta` wins.
 */
export function withTraceHeaders(meta: Record<string, unknown> | undefined, headers: Pick<Headers, 'get'> | undefined): Record<string, unknown> | undefined {
  const traceparent = headers?.get('traceparent');
  if (!traceparent || typeof meta?.traceparent === 'string') return meta;
  const tracestate = headers?.get('tracestate');
  return { ...meta, traceparent, ...(tracestate ? { tracestate } : {}) };
}
