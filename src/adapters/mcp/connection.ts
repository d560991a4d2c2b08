import {
  Client,
  type LoggingMessageNotificationParams,
  type PriorDiscovery,
  SSEClientTransport,
  StreamableHTTPClientTransport,
  type Transport,
} from '@modelcontextprotocol/client';
import type { Logger } from '../../sdk/logger.js';
import type { CallRegistry } from './call-registry.js';
import type { McpConfig } from './config.js';
import { childEnvironment } from './environment.js';
import type { ListKind } from './mirror.js';
import { ChildProcessTransport } from './stdio-transport.js';
import { tappedFetch, withoutRelatedStamp } from './stream-tap.js';
import { connectFailure } from './upstream-errors.js';
import type { ServerRequest } from './upstream-call.js';

/** What a live connection reports to the service that owns it. */
export interface LinkHandlers {
  /** A server→client request (sampling, elicitation, roots); `meta` carries the stream tap's stamp. */
  serverRequest(request: ServerRequest, meta: Record<string, unknown> | undefined): Promise<unknown>;
  log(params: LoggingMessageNotificationParams): void;
  listChanged(kind: ListKind): void;
  resourceUpdated(uri: string): void;
  /** The connection ended without the service asking (the child exited). */
  lost(link: Link, reason: string): void;
}

export interface LinkOptions {
  readonly service: string;
  readonly config: McpConfig;
  readonly logger: Logger;
  readonly calls: CallRegistry;
  readonly handlers: LinkHandlers;
  /** The era verdict of an earlier connection to the same upstream, if any. */
  readonly verdict: PriorDiscovery | undefined;
  readonly clientVersion: string;
}

/** One connected upstream: the SDK client, its era, and how to close it. */
export class Link {
  readonly client: Client;
  readonly verdict: PriorDiscovery;
  readonly #transport: Transport;
  #closing = false;

  constructor(client: Client, transport: Transport, verdict: PriorDiscovery) {
    this.client = client;
    this.#transport = transport;
    this.verdict = verdict;
  }

  get modern(): boolean {
    return this.verdict.kind === 'modern';
  }

  get closing(): boolean {
    return this.#closing;
  }

  /** Closes on purpose (stop, idle): not reported as lost. For stdio this kills the process group. */
  async close(): Promise<void> {
    this.#closing = true;
    await this.client.close().catch(() => {});
    await this.#transport.close().catch(() => {});
  }
}

const LEGACY: PriorDiscovery = { kind: 'legacy' };

/**
 * Connects to the upstream: spawns the child or opens HTTP, negotiates the era (reusing a cached
 * verdict when there is one), and wires the handlers. Bounded by `connect_timeout`. A stale modern
 * verdict is re-probed once; a stdio server that exits on the `server/discover` probe (some SDKs
 * quit on any request before `initialize`) is started again and spoken to as legacy.
 */
export async function openLink(options: LinkOptions): Promise<Link> {
  let prior = options.config.negotiation === 'legacy' ? LEGACY : options.verdict;
  for (let attempt = 0; ; attempt++) {
    const transport = makeTransport(options);
    const client = makeClient(options);
    try {
      await withDeadline(options.config.connect_timeout, transport, () => client.connect(transport, { prior, timeout: options.config.connect_timeout }));
    } catch (error) {
      // Read before closing: did the child exit by itself (not killed by us at the deadline)?
      const exitedOnProbe = transport instanceof ChildProcessTransport && transport.exitedUnasked;
      const failure = connectFailure(options.service, options.config, error, transport);
      await client.close().catch(() => {});
      await transport.close().catch(() => {});
      if (attempt === 0 && prior?.kind === 'modern') {
        options.logger.info('the cached era verdict no longer holds: probing the upstream again');
        prior = undefined;
        continue;
      }
      if (attempt === 0 && prior === undefined && exitedOnProbe && !(error instanceof ConnectTimeout)) {
        options.logger.info('the upstream exited on the server/discover probe: starting it again as a legacy (2025) server');
        prior = LEGACY;
        continue;
      }
      throw failure;
    }
    const discover = client.getDiscoverResult();
    const link = new Link(client, transport, discover ? { kind: 'modern', discover } : LEGACY);
    client.onclose = () => {
      if (link.closing || (transport instanceof ChildProcessTransport && transport.closing)) return;
      const reason = transport instanceof ChildProcessTransport ? `the upstream process ${transport.exitReason ?? 'closed its stdio'}` : 'the connection closed';
      options.handlers.lost(link, reason);
    };
    await setUpstreamLogLevel(link, options);
    return link;
  }
}

function makeTransport(options: LinkOptions): Transport {
  const { config, logger, calls } = options;
  const transport: Transport = config.command
    ? new ChildProcessTransport({
        command: config.command,
        args: config.args ?? [],
        env: childEnvironment(config.env),
        cwd: config.cwd,
        maxMessageBytes: config.max_message_size,
        logger,
      })
    : httpTransport(config);
  // Every request the client sends is attributed to the call it was sent for, and progress for a call
  // goes straight to it (see CallRegistry).
  const send = transport.send.bind(transport);
  transport.send = (message, sendOptions) => {
    calls.noteOutgoing(message);
    return send(message, sendOptions);
  };
  let receive: Transport['onmessage'];
  const intercept: NonNullable<Transport['onmessage']> = (message, extra) => {
    if (!calls.takeProgress(message)) receive?.(message, extra);
  };
  Object.defineProperty(transport, 'onmessage', {
    configurable: true,
    get: () => (receive ? intercept : undefined),
    set: (handler: Transport['onmessage']) => {
      receive = handler;
    },
  });
  return transport;
}

function httpTransport(config: McpConfig): Transport {
  const url = new URL(config.url!);
  // Only the configured headers go upstream: nothing of the downstream client's request is forwarded.
  const requestInit: RequestInit = { headers: { ...config.headers } };
  const fetch = tappedFetch(globalThis.fetch, config.max_message_size);
  return config.transport === 'sse'
    ? new SSEClientTransport(url, { requestInit, fetch })
    : new StreamableHTTPClientTransport(url, { requestInit, fetch });
}

function makeClient(options: LinkOptions): Client {
  const { config, handlers, logger } = options;
  const client = new Client(
    { name: 'mcpeg', version: options.clientVersion },
    {
      // The gateway relays these to whichever downstream client made the call.
      capabilities: { sampling: {}, elicitation: { form: {}, url: {} }, roots: {} },
      versionNegotiation: { mode: 'auto', probe: { timeoutMs: Math.min(5000, config.connect_timeout) } },
      // input_required results are relayed, never fulfilled by the SDK on the gateway's own behalf.
      inputRequired: { autoFulfill: false },
      listMaxPages: 100,
    },
  );
  for (const method of ['elicitation/create', 'sampling/createMessage', 'roots/list'] as const) {
    client.setRequestHandler(method, ((request: { params?: Record<string, unknown> & { _meta?: Record<string, unknown> } }) =>
      handlers.serverRequest({ method, params: withoutRelatedStamp(request.params) } as ServerRequest, request.params?._meta)) as never);
  }
  client.setNotificationHandler('notifications/message', (notification) => handlers.log(withoutRelatedStamp(notification.params)));
  client.setNotificationHandler('notifications/tools/list_changed', () => handlers.listChanged('tools'));
  client.setNotificationHandler('notifications/prompts/list_changed', () => handlers.listChanged('prompts'));
  client.setNotificationHandler('notifications/resources/list_changed', () => handlers.listChanged('resources'));
  client.setNotificationHandler('notifications/resources/updated', (notification) => handlers.resourceUpdated(notification.params.uri));
  let reported = 0;
  client.onerror = (error) => {
    // Protocol noise from the upstream (an answer to an unknown id, a bad notification): log, never fail.
    if (reported++ < 20 || reported % 1000 === 0) logger.warn({ err: error.message, count: reported }, `protocol error from the upstream: ${error.message}`);
  };
  return client;
}

async function setUpstreamLogLevel(link: Link, options: LinkOptions) {
  const level = options.config.log_level;
  if (link.modern || level === 'off' || !link.client.getServerCapabilities()?.logging) return;
  try {
    await link.client.setLoggingLevel(level);
  } catch (error) {
    options.logger.debug({ err: (error as Error).message }, 'the upstream did not accept logging/setLevel');
  }
}

/** Runs `connect` with a deadline; at the deadline the transport is closed (killing a stdio child). */
async function withDeadline(ms: number, transport: Transport, connect: () => Promise<void>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(new ConnectTimeout(ms));
      transport.close().catch(() => {});
    }, ms);
  });
  try {
    await Promise.race([connect(), deadline]);
  } finally {
    clearTimeout(timer);
    deadline.catch(() => {});
  }
}

export class ConnectTimeout extends Error {
  override readonly name = 'ConnectTimeout';
  readonly ms: number;
  constructor(ms: number) {
    super(`no answer within ${ms} ms`);
    this.ms = ms;
  }
}
