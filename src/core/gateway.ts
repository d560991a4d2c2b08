import { EventEmitter } from 'node:events';
import type { GatewayConfig } from '../config/model.js';
import { memoryGuard, memoryMonitor, type MemoryMonitor } from '../pipeline/memory-guard.js';
import { GatewayError } from '../sdk/errors.js';
import type { Logger } from '../sdk/logger.js';
import type { CallContext } from '../sdk/service-type.js';
import { Catalog } from './catalog.js';
import { Dispatcher } from './dispatcher.js';
import type { Phase } from './lifecycle.js';
import type { ServiceTypeRegistry } from './registry.js';
import { ServiceHost, type ServiceStatus } from './service-host.js';

/** What a front door knows about the request it is serving; the gateway adds the service. */
export type RequestScope = Omit<CallContext, 'service'>;

export type ListKind = 'tools' | 'resources' | 'prompts';

export interface GatewayEvents {
  listChanged: [kinds: readonly ListKind[]];
  resourceUpdated: [uri: string];
  phaseChanged: [service: string, phase: Phase];
}

export interface HealthSummary {
  readonly status: 'ok' | 'degraded';
  readonly memory: { readonly rssBytes: number; readonly limitBytes: number | undefined; readonly shedding: boolean };
  readonly services: readonly (ServiceStatus & { critical: boolean })[];
}

/**
 * The gateway: service hosts, the catalog they form, and the calls routed into them. Built from a
 * validated config and a registry; `start()` creates instances (no I/O — services start on their
 * first call) and fails with `CONFIG_INVALID` on a catalog collision, so a bad config never half-starts.
 */
export class Gateway extends EventEmitter<GatewayEvents> {
  readonly config: GatewayConfig;
  readonly logger: Logger;
  readonly memory: MemoryMonitor;
  readonly #registry: ServiceTypeRegistry;
  #hosts = new Map<string, ServiceHost>();
  #catalog: Catalog | undefined;
  #dispatcher: Dispatcher | undefined;
  #closing = false;
  readonly #inFlight = new Set<AbortController>();
  #pendingKinds = new Set<ListKind>();
  #flush: NodeJS.Immediate | undefined;

  constructor(options: { config: GatewayConfig; registry: ServiceTypeRegistry; logger: Logger }) {
    super();
    this.config = options.config;
    this.logger = options.logger;
    this.#registry = options.registry;
    this.memory = memoryMonitor({
      limitBytes: options.config.global.memory_limit,
      onChange: (over, rss) =>
        over
          ? this.logger.error({ rss, limit: options.config.global.memory_limit }, 'memory above global.memory_limit: refusing new calls until it drops')
          : this.logger.warn({ rss }, 'memory back under global.memory_limit: accepting calls again'),
    });
  }

  /** Creates every enabled service's instance and the catalog. Throws `CONFIG_INVALID` on collisions. */
  start(): void {
    const hosts = new Map<string, ServiceHost>();
    for (const service of this.config.services) {
      if (!service.enabled) continue;
      const type = this.#registry.get(service.type);
      if (!type) throw new GatewayError('CONFIG_INVALID', `service "${service.name}" needs type "${service.type}", which is not registered`);
      const host: ServiceHost = new ServiceHost({
        config: service,
        type,
        logger: this.logger,
        dependencies: () => service.dependencies.map((name) => hosts.get(name)).filter((dep): dep is ServiceHost => dep !== undefined),
        events: {
          listChanged: (_name, kind) => this.#refresh(kind),
          resourceUpdated: (_name, uri) => this.emit('resourceUpdated', uri),
          phaseChanged: (name, phase) => this.emit('phaseChanged', name, phase),
        },
      });
      hosts.set(service.name, host);
    }
    let catalog: Catalog;
    try {
      catalog = this.#buildCatalog([...hosts.values()], 'throw');
    } catch (error) {
      throw new GatewayError('CONFIG_INVALID', (error as Error).message, { cause: error });
    }
    this.#hosts = hosts;
    this.#swap(catalog);
  }

  /**
   * Starts the services whose type is eager (their tools are known only once connected) and waits
   * for them, at most `timeoutMs`; one that fails or is slow is left to recover on its own.
   */
  async warmUp(timeoutMs = this.config.global.start_timeout): Promise<void> {
    const eager = [...this.#hosts.values()].filter((host) => host.eager);
    if (eager.length === 0) return;
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeoutMs);
    });
    await Promise.race([Promise.allSettled(eager.map((host) => host.ensureStarted())), deadline]);
    clearTimeout(timer);
    // Their tools are known now: serve them from the first tools/list, not after a list_changed.
    if (!this.#closing) this.#swap(this.#buildCatalog([...this.#hosts.values()], 'log'));
  }

  /** The current catalog (immutable; replaced on change). */
  get catalog(): Catalog {
    if (!this.#catalog) throw new GatewayError('INTERNAL', 'gateway not started');
    return this.#catalog;
  }

  get dispatcher(): Dispatcher {
    if (!this.#dispatcher) throw new GatewayError('INTERNAL', 'gateway not started');
    return this.#dispatcher;
  }

  host(name: string): ServiceHost | undefined {
    return this.#hosts.get(name);
  }

  get hosts(): readonly ServiceHost[] {
    return [...this.#hosts.values()];
  }

  #buildCatalog(hosts: ServiceHost[], onCollision: 'throw' | 'log'): Catalog {
    return new Catalog(hosts, {
      separator: this.config.global.separator,
      maxNameLength: this.config.global.max_name_length,
      onCollision: onCollision === 'throw' ? 'throw' : (message) => this.logger.error({ code: 'CATALOG_COLLISION' }, `${message} (entry hidden until fixed)`),
    });
  }

  #swap(catalog: Catalog) {
    this.#catalog = catalog;
    this.#dispatcher = new Dispatcher({
      catalog,
      logger: this.logger,
      pageSize: this.config.global.page_size,
      guard: memoryGuard(this.memory),
      closing: () => this.#closing,
      inFlight: this.#inFlight,
    });
  }

  /** A service's declarations changed: rebuild the catalog (collisions hide the later entry) and tell clients, once per tick. */
  #refresh(kind: ListKind) {
    this.#pendingKinds.add(kind);
    this.#flush ??= setImmediate(() => {
      this.#flush = undefined;
      const kinds = [...this.#pendingKinds];
      this.#pendingKinds.clear();
      if (this.#closing) return;
      this.#swap(this.#buildCatalog([...this.#hosts.values()], 'log'));
      this.emit('listChanged', kinds);
    });
  }

  /** Per-service status plus memory: what health endpoints and `mcpeg status` show. */
  health(): HealthSummary {
    const services = this.config.services.map((service) => {
      const host = this.#hosts.get(service.name);
      const status: ServiceStatus = host?.status() ?? {
        name: service.name,
        type: service.type,
        category: service.category,
        enabled: false,
        phase: 'stopped',
        lastError: undefined,
        nextRetryAt: undefined,
        restarts: 0,
        breaker: 'closed',
        bulkhead: { active: 0, queued: 0, maxConcurrent: service.bulkhead.maxConcurrent, maxQueue: service.bulkhead.maxQueue },
      };
      return { ...status, critical: service.critical };
    });
    const shedding = this.memory.overLimit();
    const criticalDown = services.some((service) => service.critical && service.enabled && service.phase === 'failed');
    return {
      status: shedding || criticalDown ? 'degraded' : 'ok',
      memory: { rssBytes: this.memory.rss(), limitBytes: this.memory.limitBytes, shedding },
      services,
    };
  }

  /**
   * Health plus a live check of every running service (each bounded by `timeoutMs`, in parallel):
   * what `/readyz` answers. Not ready when memory is shedding or a `critical` service is unhealthy.
   */
  async readiness(timeoutMs = 2000): Promise<HealthSummary & { ready: boolean }> {
    const summary = this.health();
    const checks = await Promise.all(
      summary.services.map(async (service) => {
        const host = this.#hosts.get(service.name);
        return host ? { ...service, check: await host.health(timeoutMs) } : { ...service, check: undefined };
      }),
    );
    const ready = !summary.memory.shedding && checks.every((service) => !service.critical || !service.enabled || service.check?.healthy === true);
    return { ...summary, status: ready ? summary.status : 'degraded', services: checks, ready };
  }

  /**
   * Stops taking calls, lets in-flight ones finish (bounded by `timeoutMs`), then stops services in
   * reverse dependency order. Never throws: a service that hangs on stop is abandoned and logged.
   */
  async shutdown(timeoutMs = this.config.global.shutdown_timeout): Promise<void> {
    if (this.#closing) return;
    this.#closing = true;
    const deadline = Date.now() + timeoutMs;
    while (this.#dispatcher && this.#dispatcher.inFlight > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    if (this.#dispatcher && this.#dispatcher.inFlight > 0) {
      this.logger.warn({ inFlight: this.#dispatcher.inFlight }, 'shutdown timeout reached: abandoning calls still running');
      this.#dispatcher.abortAll();
    }
    for (const host of stopOrder([...this.#hosts.values()])) await host.stop();
    this.memory.close();
    clearImmediate(this.#flush);
  }
}

/** Dependents before their dependencies. */
function stopOrder(hosts: ServiceHost[]): ServiceHost[] {
  const byName = new Map(hosts.map((host) => [host.name, host]));
  const started: ServiceHost[] = [];
  const seen = new Set<string>();
  const visit = (host: ServiceHost) => {
    if (seen.has(host.name)) return;
    seen.add(host.name);
    for (const dependency of host.config.dependencies) {
      const dep = byName.get(dependency);
      if (dep) visit(dep);
    }
    started.push(host);
  };
  hosts.forEach(visit);
  return started.reverse();
}
