import { EventEmitter } from 'node:events';
import { dirname } from 'node:path';
import type { GatewayConfig, ServiceConfig } from '../config/model.js';
import { memoryGuard, memoryMonitor, type MemoryMonitor } from '../pipeline/memory-guard.js';
import { GatewayError } from '../sdk/errors.js';
import { CallGuard } from '../security/call-guard.js';
import { MemoryRateLimitStore } from '../security/rate-limit.js';
import { CallAbort } from '../pipeline/call-abort.js';
import type { Logger } from '../sdk/logger.js';
import type { CallContext } from '../sdk/service-type.js';
import { Catalog } from './catalog.js';
import { changedKinds } from './catalog-changes.js';
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
  readonly services: readonly (ServiceStatus & { critical: boolean; isolated: string | undefined })[];
}

/**
 * A new effective config to run (a reload, or a runtime enable/disable/restart), decided outside the core.
 * Enabled services whose host exists and that are not in `replace` keep their instance (their resolved
 * config is applied with {@link ServiceHost.retune}); the others get a new instance.
 */
export interface ApplyPlan {
  readonly config: GatewayConfig;
  /** Types for the services created anew. */
  readonly registry: ServiceTypeRegistry;
  /** Services whose instance must be replaced even though they exist (their instance-level config changed, or a restart). */
  readonly replace: ReadonlySet<string>;
  /** How long calls still running on replaced or removed instances may finish before those are stopped. */
  readonly drainMs: number;
}

export interface ApplyResult {
  readonly added: readonly string[];
  readonly removed: readonly string[];
  readonly replaced: readonly string[];
  /** Lists whose content changed (clients were sent `list_changed` for these). */
  readonly changed: readonly ListKind[];
  /** Calls still running on old instances when the drain deadline passed (they were aborted). */
  readonly abandoned: number;
}

/**
 * The gateway: service hosts, the catalog they form, and the calls routed into them. Built from a
 * validated config and a registry; `start()` creates instances (no I/O — services start on their
 * first call) and fails with `CONFIG_INVALID` on a catalog collision, so a bad config never half-starts.
 */
export class Gateway extends EventEmitter<GatewayEvents> {
  readonly logger: Logger;
  readonly memory: MemoryMonitor;
  #config: GatewayConfig;
  #registry: ServiceTypeRegistry;
  #hosts = new Map<string, ServiceHost>();
  /** Hosts being built by {@link apply} before the swap: dependencies resolve here first. */
  #staged: Map<string, ServiceHost> | undefined;
  /** Services taken out of the catalog by failed health checks, with the reason. */
  readonly #isolated = new Map<string, string>();
  #applying: Promise<unknown> = Promise.resolve();
  #catalog: Catalog | undefined;
  #dispatcher: Dispatcher | undefined;
  #closing = false;
  /** Every running call's controller, with the service it runs on. */
  readonly #inFlight = new Map<CallAbort, ServiceHost>();
  #pendingKinds = new Set<ListKind>();
  #security: { config: GatewayConfig; guard: CallGuard } | undefined;
  readonly #rateLimits = new MemoryRateLimitStore();
  #flush: NodeJS.Immediate | undefined;

  constructor(options: { config: GatewayConfig; registry: ServiceTypeRegistry; logger: Logger }) {
    super();
    this.#config = options.config;
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
    this.#staged = hosts;
    try {
      for (const service of this.config.services) {
        if (service.enabled) hosts.set(service.name, this.#createHost(service, this.#registry));
      }
    } finally {
      this.#staged = undefined;
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

  /** The config the gateway runs on now (replaced as a whole by {@link apply}). */
  get config(): GatewayConfig {
    return this.#config;
  }

  #createHost(service: ServiceConfig, registry: ServiceTypeRegistry): ServiceHost {
    const type = registry.get(service.type);
    if (!type) throw new GatewayError('CONFIG_INVALID', `service "${service.name}" needs type "${service.type}", which is not registered`);
    return new ServiceHost({
      config: service,
      type,
      logger: this.logger,
      configDir: dirname(this.#config.origin),
      // Looked up at start time, so a kept service depends on the current (or staged) instance of a replaced one.
      dependencies: () =>
        service.dependencies.map((name) => (this.#staged ?? this.#hosts).get(name)).filter((dep): dep is ServiceHost => dep !== undefined),
      events: {
        listChanged: (_name, kind) => this.#refresh(kind),
        resourceUpdated: (_name, uri) => this.emit('resourceUpdated', uri),
        phaseChanged: (name, phase) => this.emit('phaseChanged', name, phase),
      },
    });
  }

  /**
   * Runs a new effective config: build → check → swap → drain → dispose. New and replaced services are
   * created aside (eager ones, and replacements of running ones, started before the swap); the catalog is
   * swapped at once; calls still running on old instances get `drainMs` to finish before those stop.
   * Unchanged services keep their instance. A catalog collision rejects the whole plan with
   * `CONFIG_INVALID` and leaves the running config untouched. Plans run one at a time.
   */
  apply(plan: ApplyPlan): Promise<ApplyResult> {
    const run = this.#applying.then(() => this.#apply(plan));
    this.#applying = run.catch(() => {});
    return run;
  }

  async #apply(plan: ApplyPlan): Promise<ApplyResult> {
    if (this.#closing) throw new GatewayError('SERVICE_STOPPING', 'the gateway is shutting down; the new config was not applied');
    const old = this.#hosts;
    const staged = new Map<string, ServiceHost>();
    const created: ServiceHost[] = [];
    this.#staged = staged;
    try {
      for (const service of plan.config.services) {
        if (!service.enabled) continue;
        const current = old.get(service.name);
        if (current && !plan.replace.has(service.name)) {
          staged.set(service.name, current);
          continue;
        }
        const host = this.#createHost(service, plan.registry);
        staged.set(service.name, host);
        created.push(host);
      }
      const separator = plan.config.global.separator;
      const maxNameLength = plan.config.global.max_name_length;
      const check = () => new Catalog(this.#visible(staged), { separator, maxNameLength, onCollision: 'throw' });
      try {
        check();
      } catch (error) {
        throw new GatewayError('CONFIG_INVALID', (error as Error).message, { cause: error });
      }
      // Eager services, and replacements of services that were running, start before they take calls.
      const warm = created.filter((host) => host.eager || old.get(host.name)?.phase === 'running');
      if (warm.length > 0) {
        await Promise.allSettled(warm.map((host) => host.ensureStarted()));
        try {
          check();
        } catch (error) {
          throw new GatewayError('CONFIG_INVALID', `after starting: ${(error as Error).message}`, { cause: error });
        }
      }
    } catch (error) {
      this.#staged = undefined;
      await Promise.allSettled(created.map((host) => host.stop()));
      throw error;
    }
    // The swap: nothing above touched the running config.
    for (const service of plan.config.services) {
      const host = staged.get(service.name);
      if (host && old.get(service.name) === host) host.retune(service);
    }
    const before = this.#catalog;
    this.#config = plan.config;
    this.#registry = plan.registry;
    this.#hosts = staged;
    this.#staged = undefined;
    for (const name of [...this.#isolated.keys()]) if (staged.get(name) === undefined || created.some((host) => host.name === name)) this.#isolated.delete(name);
    this.#swap(this.#buildCatalog([...staged.values()], 'log'));
    const changed = before ? changedKinds(before, this.catalog) : [];
    if (changed.length > 0) this.emit('listChanged', changed);

    const retired = [...old.values()].filter((host) => staged.get(host.name) !== host);
    const abandoned = await this.#drain(new Set(retired.map((host) => host)), plan.drainMs);
    for (const host of stopOrder(retired)) await host.stop();
    return {
      added: created.filter((host) => !old.has(host.name)).map((host) => host.name),
      removed: retired.filter((host) => !staged.has(host.name)).map((host) => host.name),
      replaced: created.filter((host) => old.has(host.name)).map((host) => host.name),
      changed,
      abandoned,
    };
  }

  /** Waits for calls on `hosts` to finish, at most `ms`; aborts the rest and returns how many there were. */
  async #drain(hosts: ReadonlySet<ServiceHost>, ms: number): Promise<number> {
    if (hosts.size === 0) return 0;
    // A retired host and its successor share a name: count the old host's own calls.
    const running = () => [...this.#inFlight].filter(([, host]) => hosts.has(host));
    const deadline = Date.now() + ms;
    while (running().length > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    const left = running();
    if (left.length > 0) {
      this.logger.warn(
        { services: [...new Set(left.map(([, host]) => host.name))], calls: left.length, drainMs: ms },
        'calls still running on replaced or removed services after the drain time: cancelling them and stopping those services',
      );
      for (const [controller, host] of left) {
        controller.abort(new GatewayError('SERVICE_STOPPING', 'was reconfigured while this call ran, and the call did not finish in time', { service: host.name }));
      }
    }
    return left.length;
  }

  /**
   * Takes a service out of the catalog (`reason` set) or puts it back (`undefined`); clients get
   * `list_changed`. Used by health checks: an isolated service keeps running and is checked again.
   */
  setIsolated(name: string, reason: string | undefined): void {
    if (!this.#hosts.has(name) || this.#closing) return;
    const was = this.#isolated.has(name);
    if (reason === undefined) {
      if (!was) return;
      this.#isolated.delete(name);
    } else {
      this.#isolated.set(name, reason);
      if (was) return;
    }
    const before = this.catalog;
    this.#swap(this.#buildCatalog([...this.#hosts.values()], 'log'));
    const changed = changedKinds(before, this.catalog);
    if (changed.length > 0) this.emit('listChanged', changed);
  }

  #visible(hosts: ReadonlyMap<string, ServiceHost>): ServiceHost[] {
    return [...hosts.values()].filter((host) => !this.#isolated.has(host.name));
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
    return new Catalog(hosts.filter((host) => !this.#isolated.has(host.name)), {
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
      security: this.security,
    });
  }

  /** Authorization and rate limits of the current config; rebuilt on reload, its buckets kept. */
  get security(): CallGuard {
    if (this.#security?.config !== this.config) this.#security = { config: this.config, guard: new CallGuard(this.config, { store: this.#rateLimits }) };
    return this.#security.guard;
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
      return { ...status, critical: service.critical, isolated: this.#isolated.get(service.name) };
    });
    const shedding = this.memory.overLimit();
    const criticalDown = services.some(
      (service) => service.critical && service.enabled && (service.phase === 'failed' || service.isolated !== undefined),
    );
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
