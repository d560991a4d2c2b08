import type { IncomingMessage, Server as NodeServer, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type AuthInfo, createMcpHandler, isLegacyRequest } from '@modelcontextprotocol/server';
import type { Gateway } from '../core/gateway.js';
import { LegacySessions } from './legacy-sessions.js';
import { McpServerFactory, withTraceHeaders } from './mcp-server.js';
import { CallAbort } from '../pipeline/call-abort.js';
import { CallStream } from './call-stream.js';
import { legacyEra, modernEra } from './fast-call-eras.js';
import { legacyToolCall, modernToolCall, serveFastToolCall } from './fast-tool-call.js';
import { nodeHeaders, readBody, sendJsonRpcError, toRequest, writeResponse } from './node-bridge.js';
import { originPolicy } from './origin-policy.js';
import { checkParamHeaders } from './param-headers.js';
import { namedTarget } from '../security/call-guard.js';
import { HttpAuthGate } from '../security/http-auth.js';
import { checkBindAddress, createListener } from '../security/listener.js';
import { MemoryRateLimitStore } from '../security/rate-limit.js';
import { principalOf } from '../security/principal.js';
import { redactDeep } from '../security/redact.js';

export interface HttpFrontDoorOptions {
  readonly host: string;
  readonly port: number;
  /** `mcpeg serve --allow-remote`: listen beyond loopback even though `server.auth.mode` is none. */
  readonly allowUnauthenticatedRemote?: boolean;
  /** Extra endpoints beside the MCP one (admin API, `/metrics`): answers and returns true when it took the request. */
  readonly routes?: (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;
}

/**
 * The Streamable HTTP front door: one endpoint serving both protocol eras. Modern (2026-07-28)
 * requests go to the SDK's stateless handler; legacy ones to real sessions. Host/Origin are checked
 * and the body size bounded before the SDK sees anything. `/healthz` and `/readyz` answer beside it.
 */
export class HttpFrontDoor {
  readonly #gateway: Gateway;
  readonly #server: NodeServer;
  readonly #factory: McpServerFactory;
  readonly #modern;
  readonly #legacy: LegacySessions;
  readonly #policy;
  readonly #path: string;
  readonly #maxBody: number;
  readonly #fastPath: boolean;
  /** One controller per request being answered: aborted when its client goes away, or all at close. */
  readonly #inFlight = new Set<CallAbort>();
  readonly #routes: HttpFrontDoorOptions['routes'];
  /** Failed-auth and per-principal buckets, kept when a reload rebuilds the auth gate. */
  readonly #authLimits = new MemoryRateLimitStore();
  #auth: { config: Gateway['config']; gate: HttpAuthGate } | undefined;

  constructor(gateway: Gateway, options: HttpFrontDoorOptions) {
    const http = gateway.config.server.http;
    this.#gateway = gateway;
    this.#routes = options.routes;
    this.#path = http.path;
    this.#maxBody = http.max_body;
    this.#fastPath = gateway.config.server.fast_path;
    this.#factory = new McpServerFactory(gateway);
    this.#modern = createMcpHandler((ctx) => this.#factory.create(ctx), { legacy: 'reject', maxRequestBodySize: http.max_body });
    this.#legacy = new LegacySessions({
      factory: this.#factory,
      logger: gateway.logger,
      idleMs: http.session_idle_timeout,
      maxSessions: http.max_sessions,
      maxBody: http.max_body,
    });
    this.#policy = originPolicy({ bindHost: options.host, allowedHosts: http.allowed_hosts, allowedOrigins: http.allowed_origins });
    this.#server = createListener(gateway.config.server.tls, (req, res) => {
      this.#route(req, res).catch((error: unknown) => {
        gateway.logger.error({ err: error instanceof Error ? error.stack : String(error) }, 'HTTP request failed');
        sendJsonRpcError(res, 500, -32603, 'internal error in the gateway (see its log)');
      });
    });
    this.#server.keepAliveTimeout = 65_000;
    this.#server.headersTimeout = 66_000;
    gateway.on('listChanged', (kinds) => {
      this.#factory.broadcastListChanged(kinds);
      for (const kind of kinds) {
        if (kind === 'tools') this.#modern.notify.toolsChanged();
        else if (kind === 'prompts') this.#modern.notify.promptsChanged();
        else this.#modern.notify.resourcesChanged();
      }
    });
    gateway.on('resourceUpdated', (uri) => {
      this.#factory.broadcastResourceUpdated(uri);
      this.#modern.notify.resourceUpdated(uri);
    });
  }

  /** Open sessions by era: legacy HTTP sessions, and modern-era instances that outlive a request. */
  sessions(): { legacy: number; modern: number } {
    const modern = [...this.#factory.live].filter((live) => live.era === 'modern').length;
    return { legacy: this.#legacy.size, modern };
  }

  /** Starts listening; resolves with the bound address (port 0 picks a free one). */
  listen(options: HttpFrontDoorOptions): Promise<{ host: string; port: number; url: string }> {
    return new Promise((resolve, reject) => {
      checkBindAddress(options.host, this.#gateway.config.server.auth, options.allowUnauthenticatedRemote);
      this.#server.once('error', reject);
      this.#server.listen(options.port, options.host, () => {
        const address = this.#server.address() as AddressInfo;
        const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
        const scheme = this.#gateway.config.server.tls ? 'https' : 'http';
        resolve({ host: address.address, port: address.port, url: `${scheme}://${host}:${address.port}${this.#path}` });
      });
    });
  }

  async #route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/healthz' && req.method === 'GET') return this.#health(res, false);
    if (path === '/readyz' && req.method === 'GET') return this.#health(res, true);
    if (this.#routes && (await this.#routes(req, res))) return;
    if (this.#authGate.serveMetadata(path ?? '/', req, res)) return;
    if (path !== this.#path) return sendJsonRpcError(res, 404, -32601, `not found: the MCP endpoint is ${this.#path}`);
    const refused = this.#policy.check(req.headers.host, req.headers.origin);
    if (refused) return sendJsonRpcError(res, 403, -32000, `Forbidden: ${refused}`);
    const method = req.method;
    if (method !== 'POST' && method !== 'GET' && method !== 'DELETE') {
      return sendJsonRpcError(res, 405, -32000, 'Method not allowed: use POST, GET or DELETE', { allow: 'GET, POST, DELETE' });
    }
    // Authenticated before the body is read: an anonymous client cannot make the gateway buffer megabytes.
    const gate = this.#authGate;
    const authInfo = gate.open ? undefined : await gate.admit(req, res);
    if (authInfo === null) return;
    const body = req.method === 'POST' ? await readBody(req, this.#maxBody) : Buffer.alloc(0);
    if (body === undefined) {
      // The rest of the body is never read: answer, then drop the connection.
      res.on('finish', () => req.destroy());
      return sendJsonRpcError(res, 413, -32600, `request body larger than server.http.max_body (${this.#maxBody} bytes)`, {
        connection: 'close',
      });
    }
    let parsed: unknown;
    if (body.length > 0) {
      try {
        parsed = JSON.parse(body.toString('utf8'));
      } catch {
        return sendJsonRpcError(res, 400, -32700, 'Parse error: the request body is not valid JSON');
      }
    }
    // Aborted when the client goes away before its answer is complete, or when the front door closes.
    const abort = new CallAbort();
    this.#inFlight.add(abort);
    res.on('close', () => {
      this.#inFlight.delete(abort);
      if (!res.writableFinished) abort.abort();
    });
    if (this.#fastPath && parsed !== undefined && (await this.#serveFast(req, res, body, parsed, authInfo, abort))) return;
    const request = toRequest(req, body, abort.signal);
    const legacy = req.headers['mcp-session-id'] !== undefined || (await isLegacyRequest(request, parsed, { maxRequestBodySize: this.#maxBody }));
    if (!legacy) {
      if (this.#refuseParamHeaderMismatch(res, parsed, request.headers)) return;
    }
    if (this.#scopeChallenge(res, parsed, authInfo)) return;
    const response = legacy
      ? await this.#legacy.handle(request, parsed, authInfo)
      : await this.#modern.fetch(request, { ...(parsed === undefined ? {} : { parsedBody: parsed }), ...(authInfo ? { authInfo } : {}) });
    await writeResponse(res, response);
  }

  /**
   * The fast path: a plain `tools/call` (either era) runs straight through the dispatcher and is
   * answered here, without a web Request, an SDK transport or a per-request SDK Server. Returns false
   * for anything else, which the SDK then serves as before; an unusual outcome is handed to the SDK
   * to encode. `server.fast_path: false` turns it off.
   */
  async #serveFast(req: IncomingMessage, res: ServerResponse, body: Buffer, parsed: unknown, authInfo: AuthInfo | undefined, abort: CallAbort): Promise<boolean> {
    const sessionId = req.headers['mcp-session-id'];
    const call = sessionId === undefined ? modernToolCall(req, parsed) : legacyToolCall(req, parsed);
    if (!call) return false;
    const session = typeof sessionId === 'string' ? this.#legacy.fastSession(sessionId, authInfo) : undefined;
    if (sessionId !== undefined && !session) return false;
    const headers = nodeHeaders(req);
    if (!session && this.#refuseParamHeaderMismatch(res, parsed, headers)) return true;
    if (this.#scopeChallenge(res, parsed, authInfo)) return true;
    const stream = new CallStream(res, session ? { 'mcp-session-id': session.id } : {});
    const untrack = session?.track(call.id, { stream, abort });
    try {
      await serveFastToolCall({
        call,
        stream,
        era: session ? legacyEra(call, stream, session.server, abort, this.#factory) : modernEra(call, stream, this.#factory),
        abort,
        principal: principalOf(authInfo),
        meta: withTraceHeaders(call.meta, headers),
        dispatch: (name, args, scope, owner) => this.#gateway.dispatcher.callTool(name, args, scope, owner),
        handOff: async (outcome) => {
          // From here the SDK answers: messages related to the call (a legacy MRTR shim's push requests) take its stream.
          untrack?.();
          const request = toRequest(req, body, abort.signal);
          this.#factory.handOff(request, call.id, outcome);
          const auth = authInfo ? { authInfo } : {};
          const response = session ? await this.#legacy.handle(request, parsed, authInfo) : await this.#modern.fetch(request, { parsedBody: parsed, ...auth });
          await writeResponse(res, response);
        },
      });
    } finally {
      untrack?.();
    }
    return true;
  }

  /** A modern tools/call whose `Mcp-Param-*` headers disagree with its arguments is answered 400 (-32020) here; true when it was. */
  #refuseParamHeaderMismatch(res: ServerResponse, parsed: unknown, headers: Pick<Headers, 'get'>): boolean {
    const message = parsed as { id?: unknown; method?: unknown; params?: { name?: unknown; arguments?: unknown } } | undefined;
    if (message?.method !== 'tools/call' || typeof message.params?.name !== 'string') return false;
    const mismatch = checkParamHeaders(this.#gateway.catalog.tool(message.params.name)?.descriptor, message.params.arguments, headers);
    if (mismatch) sendJsonRpcError(res, 400, -32020, `Header mismatch: ${mismatch}`, {}, message.id);
    return mismatch !== undefined;
  }

  /** OAuth step-up: a tools/call one more scope would allow is answered 403 insufficient_scope (the dispatcher still decides). */
  #scopeChallenge(res: ServerResponse, parsed: unknown, authInfo: AuthInfo | undefined): boolean {
    const message = parsed as { method?: unknown; params?: { name?: unknown } } | undefined;
    if (!authInfo || message?.method !== 'tools/call' || typeof message.params?.name !== 'string') return false;
    const entry = this.#gateway.catalog.tool(message.params.name);
    const security = this.#gateway.security;
    if (!entry) return false;
    return this.#authGate.scopeChallenge(res, authInfo, (principal) => security.policy.rolesThatWouldAllow(principal, namedTarget('tool', entry, security.separator)));
  }

  /** The auth gate of the current config (rebuilt after a reload changed it). */
  get #authGate(): HttpAuthGate {
    const config = this.#gateway.config;
    if (this.#auth?.config !== config) this.#auth = { config, gate: new HttpAuthGate(config, { logger: this.#gateway.logger, store: this.#authLimits }) };
    return this.#auth.gate;
  }

  async #health(res: ServerResponse, readiness: boolean) {
    if (!readiness) {
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(JSON.stringify({ status: 'alive' }));
      return;
    }
    const report = await this.#gateway.readiness();
    res.writeHead(report.ready ? 200 : 503, { 'content-type': 'application/json', 'cache-control': 'no-store' });
    res.end(JSON.stringify(redactDeep(report, this.#gateway.config.secrets)));
  }

  /** Stops accepting connections, closes sessions and streams. */
  async close(): Promise<void> {
    for (const abort of this.#inFlight) abort.abort();
    await this.#legacy.close();
    await this.#modern.close().catch(() => {});
    await new Promise<void>((resolve) => {
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
    });
  }
}
