import { type LoggingLevel, type LoggingMessageNotificationParams, type PriorDiscovery, ProtocolError, ProtocolErrorCode } from '@modelcontextprotocol/client';
import { GatewayError } from '../../sdk/errors.js';
import type { HealthReport, ServiceContext, ServiceInstance } from '../../sdk/service-type.js';
import { UpstreamRelay } from './call-relay.js';
import { CallRegistry, isUnassociated } from './call-registry.js';
import type { McpConfig } from './config.js';
import { type Link, openLink } from './connection.js';
import { buildMirror, EMPTY_MIRROR, listAll, type ListKind, type Mirror } from './mirror.js';
import { ParkedCalls } from './parked-calls.js';
import { Subscriptions } from './subscriptions.js';
import type { ServerRequest } from './upstream-call.js';
import { upstreamLabel } from './upstream-errors.js';

/** Re-lists wait this long after a list_changed, so a burst of them costs one listing. */
const REFRESH_DEBOUNCE_MS = 50;

/**
 * One upstream MCP server as a gateway service. One connection (one child process for stdio) is
 * shared by every downstream client; the SDK client multiplexes request ids over it. Its tools,
 * resources, templates and prompts are listed once connected and re-listed on `list_changed`.
 * When the connection is lost (the child died) every call in flight fails at once naming the
 * service, and the gateway restarts it with backoff (`reportFailure`). A stdio upstream with
 * `idle_timeout` is stopped when unused and started again by the next call.
 */
export class UpstreamService implements ServiceInstance {
  readonly #ctx: ServiceContext<McpConfig>;
  readonly #version: string;
  readonly #calls = new CallRegistry();
  readonly #parked: ParkedCalls;
  readonly #subscriptions: Subscriptions;
  readonly #relay: UpstreamRelay;
  #mirror: Mirror = EMPTY_MIRROR;
  #link: Link | undefined;
  #linking: Promise<Link> | undefined;
  #verdict: PriorDiscovery | undefined;
  #lost: string | undefined;
  #stopped = false;
  #idleTimer: NodeJS.Timeout | undefined;
  readonly #refreshTimers = new Map<ListKind, NodeJS.Timeout>();

  constructor(ctx: ServiceContext<McpConfig>, version: string) {
    this.#ctx = ctx;
    this.#version = version;
    this.#parked = new ParkedCalls({ service: ctx.name, timeoutMs: ctx.config.input_timeout });
    this.#subscriptions = new Subscriptions(ctx.logger);
    this.#relay = new UpstreamRelay({
      service: ctx.name,
      config: ctx.config,
      calls: this.#calls,
      parked: this.#parked,
      link: () => this.#ensureLink(),
      lost: () => this.#lost,
      settled: () => this.#armIdleTimer(),
    });
  }

  tools = () => this.#mirror.tools;
  resources = () => this.#mirror.resources;
  resourceTemplates = () => this.#mirror.templates;
  prompts = () => this.#mirror.prompts;

  async start(): Promise<void> {
    this.#stopped = false;
    await this.#ensureLink();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#idleTimer);
    for (const timer of this.#refreshTimers.values()) clearTimeout(timer);
    this.#parked.abortAll(new GatewayError('SERVICE_STOPPING', 'is stopping', { service: this.#ctx.name }));
    this.#subscriptions.close();
    const link = this.#link;
    this.#link = undefined;
    await link?.close();
  }

  async health(signal: AbortSignal): Promise<HealthReport> {
    const link = this.#link;
    if (!link) return { healthy: true, detail: 'not connected (idle); connects on the next call' };
    if (link.modern) await link.client.discover({ signal });
    else await link.client.ping({ signal });
    return { healthy: true, detail: `${link.modern ? 'modern (2026-07-28)' : 'legacy (2025)'} upstream answering` };
  }

  async subscribe(uri: string): Promise<void> {
    await this.#subscriptions.subscribe(await this.#ensureLink(), uri);
  }

  async unsubscribe(uri: string): Promise<void> {
    await this.#subscriptions.unsubscribe(this.#link, uri);
  }

  #ensureLink(): Promise<Link> {
    clearTimeout(this.#idleTimer);
    if (this.#link) return Promise.resolve(this.#link);
    if (this.#stopped) return Promise.reject(new GatewayError('SERVICE_STOPPING', 'is stopping', { service: this.#ctx.name }));
    this.#linking ??= this.#connect().finally(() => {
      this.#linking = undefined;
    });
    return this.#linking;
  }

  async #connect(): Promise<Link> {
    const { config, logger, name } = this.#ctx;
    const started = Date.now();
    const link = await openLink({
      service: name,
      config,
      logger,
      calls: this.#calls,
      verdict: this.#verdict,
      clientVersion: this.#version,
      handlers: {
        serverRequest: (request, meta) => this.#serverRequest(request, meta),
        log: (params) => this.#log(params),
        listChanged: (kind) => this.#scheduleRefresh(kind),
        resourceUpdated: (uri) => this.#ctx.resourceUpdated(uri),
        lost: (lost, reason) => this.#onLost(lost, reason),
      },
    });
    try {
      await this.#refresh(link, ['tools', 'resources', 'prompts'], { signal: AbortSignal.timeout(config.connect_timeout) });
      await this.#subscriptions.connected(link);
    } catch (error) {
      await link.close();
      throw new GatewayError('BACKEND_ERROR', `connected to ${upstreamLabel(config)}, but listing what it offers failed: ${(error as Error).message}`, {
        service: name,
        cause: error,
      });
    }
    if (this.#stopped) {
      await link.close();
      throw new GatewayError('SERVICE_STOPPING', 'is stopping', { service: name });
    }
    this.#verdict = link.verdict;
    this.#link = link;
    this.#lost = undefined;
    const era = link.modern ? 'modern (2026-07-28)' : 'legacy (2025)';
    logger.info(
      { ms: Date.now() - started, era, tools: this.#mirror.tools.length, resources: this.#mirror.resources.length, prompts: this.#mirror.prompts.length },
      `connected to ${upstreamLabel(config)} (${era} protocol)`,
    );
    this.#armIdleTimer();
    return link;
  }

  /** The connection ended by itself: calls in flight fail (the SDK rejects them), the host restarts us. */
  #onLost(link: Link, reason: string) {
    // Only the established connection: one lost while connecting fails that connect instead.
    if (this.#link !== link) return;
    this.#link = undefined;
    this.#lost = reason;
    this.#subscriptions.close();
    this.#parked.abortAll(new GatewayError('BACKEND_UNREACHABLE', `${reason} while the call waited for the client's answer`, { service: this.#ctx.name }));
    if (this.#stopped) return;
    this.#ctx.reportFailure(new GatewayError('BACKEND_UNREACHABLE', reason, { service: this.#ctx.name }));
  }

  /**
   * Lists the given kinds again and tells the gateway about each kind whose content changed — or about
   * every kind listed when the upstream itself announced the change (`announced`): its clients may
   * rely on the notification, even when the entries look the same from here.
   */
  async #refresh(link: Link, kinds: readonly ListKind[], options: { signal?: AbortSignal; announced?: boolean } = {}): Promise<void> {
    const { signal } = options;
    const { logger } = this.#ctx;
    const capabilities = link.client.getServerCapabilities() ?? {};
    const list = async (kind: 'tools' | 'resources' | 'prompts', method: Parameters<typeof listAll>[1]) =>
      kinds.includes(kind) && capabilities[kind] ? listAll(link.client, method, logger, signal) : undefined;
    const [tools, resources, templates, prompts] = await Promise.all([
      list('tools', 'tools/list'),
      list('resources', 'resources/list'),
      list('resources', 'resources/templates/list'),
      list('prompts', 'prompts/list'),
    ]);
    const previous = this.#mirror;
    // A kind not re-listed keeps what the upstream listed last time; one it no longer offers is empty.
    const pick = (fresh: unknown[] | undefined, kind: ListKind, old: readonly unknown[]) => fresh ?? (kinds.includes(kind) ? [] : old);
    const mirror = buildMirror(
      {
        tools: pick(tools, 'tools', previous.lists.tools),
        resources: pick(resources, 'resources', previous.lists.resources),
        templates: pick(templates, 'resources', previous.lists.templates),
        prompts: pick(prompts, 'prompts', previous.lists.prompts),
      },
      this.#relay,
      { logger, completions: capabilities.completions !== undefined },
    );
    this.#mirror = mirror;
    for (const kind of ['tools', 'resources', 'prompts'] as const) {
      if (mirror.signature[kind] !== previous.signature[kind] || (options.announced && kinds.includes(kind))) this.#ctx.listChanged(kind);
    }
  }

  #scheduleRefresh(kind: ListKind) {
    clearTimeout(this.#refreshTimers.get(kind));
    const timer = setTimeout(() => {
      this.#refreshTimers.delete(kind);
      const link = this.#link;
      if (!link) return;
      this.#refresh(link, [kind], { announced: true }).catch((error: unknown) =>
        this.#ctx.logger.warn({ err: (error as Error).message, kind }, `the upstream announced a changed ${kind} list, but listing it again failed; keeping the previous list`),
      );
    }, REFRESH_DEBOUNCE_MS);
    timer.unref();
    this.#refreshTimers.set(kind, timer);
  }

  async #serverRequest(request: ServerRequest, meta: Record<string, unknown> | undefined): Promise<unknown> {
    const found = this.#calls.find(meta);
    if (!isUnassociated(found)) return found.ask(request);
    // roots/list outside any call: the gateway itself has no roots to offer.
    if (request.method === 'roots/list') return { roots: [] };
    const why =
      found.reason === 'none'
        ? 'no call of this service is in flight, so there is no client to ask'
        : `${found.inFlight} calls are in flight on its shared connection and its transport does not say which one asked, so the gateway refused rather than ask the wrong user (set bulkhead.max_concurrent: 1 for this service to serialize its calls)`;
    this.#ctx.logger.warn({ method: request.method }, `the upstream sent ${request.method}, which was refused: ${why}`);
    throw new ProtocolError(ProtocolErrorCode.InvalidRequest, `[${this.#ctx.name}] ${request.method} refused by the gateway: ${why}`);
  }

  #log(params: LoggingMessageNotificationParams) {
    const found = this.#calls.find(params._meta);
    if (!isUnassociated(found) && found.log(params.level, params.data, params.logger)) return;
    const level = GATEWAY_LEVEL[params.level];
    this.#ctx.logger[level]({ upstreamLevel: params.level, logger: params.logger, data: params.data }, 'upstream log message');
  }

  #armIdleTimer() {
    const idle = this.#ctx.config.idle_timeout;
    clearTimeout(this.#idleTimer);
    if (idle === undefined || !this.#link) return;
    this.#idleTimer = setTimeout(() => {
      const link = this.#link;
      if (!link || this.#calls.size > 0 || this.#parked.size > 0 || this.#subscriptions.active) return;
      this.#link = undefined;
      this.#ctx.logger.info({ idleMs: idle }, `stopped the upstream after ${Math.round(idle / 1000)} s without calls (idle_timeout); the next call starts it again`);
      void link.close();
    }, idle);
    this.#idleTimer.unref();
  }
}

const GATEWAY_LEVEL: Record<LoggingLevel, 'debug' | 'info' | 'warn' | 'error'> = {
  debug: 'debug',
  info: 'info',
  notice: 'info',
  warning: 'warn',
  error: 'error',
  critical: 'error',
  alert: 'error',
  emergency: 'error',
};
