import {
  type AuthInfo,
  type ClientCapabilities,
  createRequestStateCodec,
  type McpRequestContext,
  Server,
  type ServerContext,
} from '@modelcontextprotocol/server';
import type { Gateway, RequestScope } from '../core/gateway.js';
import type { Era } from '../sdk/service-type.js';
import { ANONYMOUS, principalOf } from '../security/principal.js';
import { GATEWAY_VERSION } from '../version.js';

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

  constructor(gateway: Gateway) {
    this.#gateway = gateway;
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
    server.setRequestHandler('tools/call', async (request, ctx) =>
      dispatcher().callTool(request.params.name, request.params.arguments, scope(ctx)),
    );
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
        await request.notify({
          method: 'notifications/progress',
          params: { progressToken, progress, ...(total !== undefined ? { total } : {}), ...(message ? { message } : {}) },
        });
      },
      log: (level, data, logger) => request.log(level, data, logger),
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
function withTraceHeaders(meta: Record<string, unknown> | undefined, headers: Headers | undefined): Record<string, unknown> | undefined {
  const traceparent = headers?.get('traceparent');
  if (!traceparent || typeof meta?.traceparent === 'string') return meta;
  const tracestate = headers?.get('tracestate');
  return { ...meta, traceparent, ...(tracestate ? { tracestate } : {}) };
}
