import { randomUUID } from 'node:crypto';
import { type AuthInfo, isInitializeRequest, type RequestId, type Server, WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/server';
import type { CallAbort } from '../pipeline/call-abort.js';
import type { Logger } from '../sdk/logger.js';
import type { CallStream } from './call-stream.js';
import { BoundedEventStore } from './event-store.js';
import type { McpServerFactory } from './mcp-server.js';

/** A call the fast path runs in a session: messages related to it go out on its own answer. */
interface FastCallRoute {
  readonly stream: CallStream;
  readonly abort: CallAbort;
}

/** What the fast path needs of a session. */
export interface FastSession {
  readonly id: string;
  readonly server: Server;
  /** Routes messages related to `callId` to `stream` and lets cancellation and session close abort it; returns the untrack function. */
  track(callId: RequestId, route: FastCallRoute): () => void;
}

interface Session {
  readonly transport: WebStandardStreamableHTTPServerTransport;
  readonly server: Server;
  readonly fastCalls: Map<RequestId, FastCallRoute>;
  lastSeen: number;
  /** Open GET notification streams: a session that holds one is in use, however long it stays quiet. */
  streams: number;
  /** Who opened it: only the same principal may use it (a leaked session id is no credential). */
  readonly principal: string | undefined;
}

const json = (status: number, code: number, message: string) =>
  new Response(JSON.stringify({ jsonrpc: '2.0', error: { code, message }, id: null }), {
    status,
    headers: { 'content-type': 'application/json' },
  });

/**
 * Serves 2025-era clients with real sessions: `initialize` opens one (an `Mcp-Session-Id`), later
 * POSTs, the GET notification stream and DELETE go to it; a deleted or expired id answers 404 so the
 * client starts over. Streams are resumable with `Last-Event-ID`. Sessions idle past `idleMs` close.
 */
export class LegacySessions {
  readonly #sessions = new Map<string, Session>();
  readonly #factory: McpServerFactory;
  readonly #logger: Logger;
  readonly #idleMs: number;
  readonly #maxSessions: number;
  readonly #maxBody: number;
  readonly #sweeper: NodeJS.Timeout;

  constructor(options: { factory: McpServerFactory; logger: Logger; idleMs: number; maxSessions: number; maxBody: number }) {
    this.#factory = options.factory;
    this.#logger = options.logger;
    this.#idleMs = options.idleMs;
    this.#maxSessions = options.maxSessions;
    this.#maxBody = options.maxBody;
    this.#sweeper = setInterval(() => this.#sweep(), Math.min(60_000, Math.max(1000, this.#idleMs / 2)));
    this.#sweeper.unref();
  }

  get size(): number {
    return this.#sessions.size;
  }

  /** The open session `id` of this principal, for a call the fast path serves; undefined sends the request the SDK's way. */
  fastSession(id: string, authInfo?: AuthInfo): FastSession | undefined {
    const session = this.#sessions.get(id);
    if (!session || session.principal !== authInfo?.clientId) return undefined;
    session.lastSeen = Date.now();
    return {
      id,
      server: session.server,
      track: (callId, route) => {
        session.fastCalls.set(callId, route);
        return () => {
          if (session.fastCalls.get(callId) === route) session.fastCalls.delete(callId);
        };
      },
    };
  }

  async handle(request: Request, parsedBody: unknown, authInfo?: AuthInfo): Promise<Response> {
    const id = request.headers.get('mcp-session-id');
    if (id) {
      const found = this.#sessions.get(id);
      const session = found && found.principal === authInfo?.clientId ? found : undefined;
      if (!session) return json(404, -32001, 'Session not found: it was closed or expired — start a new session with initialize');
      session.lastSeen = Date.now();
      if (session.fastCalls.size > 0) cancelFastCalls(session, parsedBody);
      if (request.method === 'GET') {
        session.streams++;
        request.signal.addEventListener(
          'abort',
          () => {
            session.streams--;
            session.lastSeen = Date.now();
          },
          { once: true },
        );
      }
      return session.transport.handleRequest(request, { parsedBody, ...(authInfo ? { authInfo } : {}) });
    }
    if (request.method === 'POST' && isInitializeRequest(parsedBody)) return this.#open(request, parsedBody, authInfo);
    if (request.method !== 'POST') {
      return json(400, -32000, 'Bad Request: Mcp-Session-Id header is required for GET and DELETE');
    }
    return json(400, -32000, 'Bad Request: Mcp-Session-Id header is required (send initialize first to open a session)');
  }

  async #open(request: Request, parsedBody: unknown, authInfo: AuthInfo | undefined): Promise<Response> {
    if (this.#sessions.size >= this.#maxSessions) {
      return json(503, -32000, `too many sessions (${this.#maxSessions}, server.http.max_sessions): retry later`);
    }
    const server = this.#factory.create({ era: 'legacy', ...(authInfo ? { authInfo } : {}) }, true);
    const fastCalls = new Map<RequestId, FastCallRoute>();
    const transport: WebStandardStreamableHTTPServerTransport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      eventStore: new BoundedEventStore(),
      retryInterval: 2000,
      maxRequestBodySize: this.#maxBody,
      onsessioninitialized: (sessionId) => {
        this.#sessions.set(sessionId, { transport, server, fastCalls, lastSeen: Date.now(), streams: 0, principal: authInfo?.clientId });
      },
      onsessionclosed: (sessionId) => {
        this.#sessions.delete(sessionId);
      },
    });
    transport.onclose = () => {
      if (transport.sessionId) this.#sessions.delete(transport.sessionId);
      for (const route of fastCalls.values()) route.abort.abort(new Error('the session was closed'));
    };
    // Requests and notifications related to a call the fast path serves go out on that call's own answer.
    const sendViaTransport = transport.send.bind(transport);
    transport.send = async (message, options) => {
      const route = options?.relatedRequestId !== undefined ? fastCalls.get(options.relatedRequestId) : undefined;
      if (route && !('result' in message) && !('error' in message)) return route.stream.send(message);
      return sendViaTransport(message, options);
    };
    await server.connect(transport);
    return transport.handleRequest(request, { parsedBody, ...(authInfo ? { authInfo } : {}) });
  }

  #sweep() {
    const cutoff = Date.now() - this.#idleMs;
    for (const [id, session] of this.#sessions) {
      if (session.streams === 0 && session.lastSeen < cutoff) {
        this.#logger.debug({ session: id }, 'closing idle legacy session');
        this.#sessions.delete(id);
        session.transport.close().catch(() => {});
      }
    }
  }

  async close(): Promise<void> {
    clearInterval(this.#sweeper);
    const sessions = [...this.#sessions.values()];
    this.#sessions.clear();
    await Promise.allSettled(sessions.map((session) => session.transport.close()));
  }
}

/** `notifications/cancelled` for a call the fast path serves aborts it (the SDK does not know that call). */
function cancelFastCalls(session: Session, body: unknown): void {
  for (const message of Array.isArray(body) ? body : [body]) {
    const { method, params } = (message ?? {}) as { method?: unknown; params?: { requestId?: unknown; reason?: unknown } };
    if (method !== 'notifications/cancelled') continue;
    const route = session.fastCalls.get(params?.requestId as RequestId);
    route?.abort.abort(new Error(typeof params?.reason === 'string' ? params.reason : 'cancelled by the client'));
  }
}
