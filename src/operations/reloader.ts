import { EventEmitter } from 'node:events';
import { formatIssues, type LoadResult } from '../bootstrap.js';
import { deepFreeze, type GatewayConfig } from '../config/model.js';
import type { ConfigIssue } from '../config/source.js';
import type { ApplyResult, Gateway } from '../core/gateway.js';
import type { ServiceTypeRegistry } from '../core/registry.js';
import { updateLogger } from '../observability/logger.js';
import { GatewayError } from '../sdk/errors.js';
import type { Logger } from '../sdk/logger.js';
import { deepEqual, diffServices, diffSettings, type ServiceDiff } from './config-diff.js';

/** What one reload did, as the admin API and the log report it. */
export type ReloadOutcome =
  | {
      readonly ok: true;
      readonly at: string;
      readonly reason: string;
      readonly services: ServiceDiff;
      readonly applied: ApplyResult;
      /** Gateway-wide settings that changed in the file but need a restart (the running values are kept). */
      readonly restartNeeded: readonly string[];
    }
  | { readonly ok: false; readonly at: string; readonly reason: string; readonly issues: readonly ConfigIssue[] };

export interface ReloaderEvents {
  reloaded: [outcome: ReloadOutcome];
  /** Any new effective config (reload, enable, disable, restart) is running. */
  applied: [config: GatewayConfig];
}

/**
 * Hot reload and runtime service management over one gateway. The effective config is the last valid file
 * plus runtime overrides (`enable`/`disable`); each change is applied as build → check → swap → drain →
 * dispose ({@link Gateway.apply}). An invalid file changes nothing and is logged with path and line.
 * Reloads and runtime changes run one at a time, in order.
 *
 * @example const reloader = new Reloader({ gateway, registry, load: () => loadConfig({ … }), logger });
 *          process.on('SIGHUP', () => void reloader.reload('SIGHUP'));
 */
export class Reloader extends EventEmitter<ReloaderEvents> {
  readonly #gateway: Gateway;
  readonly #load: () => Promise<LoadResult>;
  readonly #logger: Logger;
  /** The last valid config read from the file (before runtime overrides). */
  #file: GatewayConfig;
  #registry: ServiceTypeRegistry;
  /** Runtime enable/disable, by service name; dropped when the file changes that service's entry. */
  readonly #overrides = new Map<string, boolean>();
  #queue: Promise<unknown> = Promise.resolve();
  readonly #history: ReloadOutcome[] = [];
  readonly counts = { success: 0, failure: 0 };
  lastSuccessAt: Date | undefined;

  constructor(options: { gateway: Gateway; registry: ServiceTypeRegistry; load: () => Promise<LoadResult>; logger: Logger }) {
    super();
    this.#gateway = options.gateway;
    this.#file = options.gateway.config;
    this.#registry = options.registry;
    this.#load = options.load;
    this.#logger = options.logger;
  }

  /** The last reloads, newest first (at most 20). */
  get history(): readonly ReloadOutcome[] {
    return this.#history;
  }

  /** Runtime overrides of `enabled`, by service. */
  get overrides(): ReadonlyMap<string, boolean> {
    return this.#overrides;
  }

  /** Reads the file again (env and secret references resolved anew) and applies what changed. Never throws. */
  reload(reason: string): Promise<ReloadOutcome> {
    return this.#serial(() => this.#reload(reason));
  }

  /** Enables or disables a configured service until the file changes its entry or the gateway restarts. */
  setEnabled(name: string, enabled: boolean): Promise<ApplyResult> {
    return this.#serial(async () => {
      const service = this.#service(name);
      if (this.#effective(this.#file).services.find((entry) => entry.name === name)?.enabled === enabled) {
        return { added: [], removed: [], replaced: [], changed: [], abandoned: 0 };
      }
      if (service.enabled === enabled) this.#overrides.delete(name);
      else this.#overrides.set(name, enabled);
      const result = await this.#apply(new Set());
      this.#logger.warn(
        { service: name, override: enabled ? 'enabled' : 'disabled' },
        `service ${name} ${enabled ? 'enabled' : 'disabled'} at runtime; the config file says ${service.enabled ? 'enabled' : 'disabled'} — this lasts until the file changes this service or the gateway restarts`,
      );
      return result;
    });
  }

  /** Replaces a running service's instance with a fresh one (calls on the old one drain first). */
  restart(name: string): Promise<ApplyResult> {
    return this.#serial(async () => {
      this.#service(name);
      if (!this.#gateway.host(name)) {
        throw new GatewayError('SERVICE_DISABLED', `service ${name} is disabled, so there is nothing to restart — enable it instead`, { service: name });
      }
      const result = await this.#apply(new Set([name]));
      this.#logger.info({ service: name }, `service ${name} restarted`);
      return result;
    });
  }

  #service(name: string) {
    const service = this.#file.services.find((entry) => entry.name === name);
    if (!service) {
      const known = this.#file.services.map((entry) => entry.name).join(', ') || '(none)';
      throw new GatewayError('UNKNOWN_SERVICE', `no service named "${name}" in ${this.#file.origin}; configured: ${known}`);
    }
    return service;
  }

  #serial<T>(work: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(work);
    this.#queue = run.catch(() => {});
    return run;
  }

  async #reload(reason: string): Promise<ReloadOutcome> {
    const at = new Date().toISOString();
    let loaded: LoadResult;
    try {
      loaded = await this.#load();
    } catch (error) {
      loaded = { ok: false, issues: [{ path: '(file)', message: (error as Error).message }], registry: this.#registry };
    }
    if (!loaded.ok) return this.#rejected(at, reason, loaded.issues);
    const next = loaded.config;
    const settings = diffSettings(this.#file, next);
    const file = settings.restart.length > 0 ? keepRunningValues(next, this.#file, settings.restart) : next;
    for (const [name] of this.#overrides) {
      const before = this.#file.services.find((entry) => entry.name === name);
      const after = file.services.find((entry) => entry.name === name);
      if (!after || !deepEqual({ ...before, line: 0 }, { ...after, line: 0 })) {
        this.#overrides.delete(name);
        this.#logger.info({ service: name }, `the config file changed service ${name}: its runtime enable/disable is dropped, the file decides`);
      }
    }
    const services = diffServices(this.#effective(this.#file), this.#effective(file));
    const previous = { file: this.#file, registry: this.#registry };
    this.#file = file;
    this.#registry = loaded.registry;
    let applied: ApplyResult;
    try {
      applied = await this.#apply(new Set(services.replaced));
    } catch (error) {
      this.#file = previous.file;
      this.#registry = previous.registry;
      return this.#rejected(at, reason, [{ path: '(services)', message: (error as Error).message }]);
    }
    for (const path of settings.restart) {
      this.#logger.warn(
        { setting: path, config: file.origin },
        `${path} changed in ${file.origin}, but it takes effect only when the gateway restarts; the running value is kept until then`,
      );
    }
    const outcome: ReloadOutcome = { ok: true, at, reason, services, applied, restartNeeded: settings.restart };
    this.counts.success++;
    this.lastSuccessAt = new Date();
    this.#record(outcome);
    const changes = ['added', 'removed', 'replaced', 'retuned'] as const;
    const summary = changes.map((kind) => `${services[kind].length} ${kind}`).join(', ');
    this.#logger.info(
      { reason, ...Object.fromEntries(changes.map((kind) => [kind, services[kind]])), unchanged: services.unchanged.length, settings: settings.live },
      `config reloaded from ${file.origin} (${reason}): ${summary}, ${services.unchanged.length} unchanged`,
    );
    return outcome;
  }

  #rejected(at: string, reason: string, issues: readonly ConfigIssue[]): ReloadOutcome {
    const outcome: ReloadOutcome = { ok: false, at, reason, issues };
    this.counts.failure++;
    this.#record(outcome);
    const origin = this.#file.origin;
    this.#logger.error(
      { reason, config: origin, problems: issues.length },
      `config reload rejected (${reason}): ${issues.length} problem${issues.length === 1 ? '' : 's'} in ${origin}; still running the previous config — fix the file (mcpeg validate --config ${origin}) and save it again\n${formatIssues(origin, issues)}`,
    );
    return outcome;
  }

  #record(outcome: ReloadOutcome) {
    this.#history.unshift(outcome);
    this.#history.length = Math.min(this.#history.length, 20);
    this.emit('reloaded', outcome);
  }

  async #apply(replace: ReadonlySet<string>): Promise<ApplyResult> {
    const config = this.#effective(this.#file);
    const result = await this.#gateway.apply({ config, registry: this.#registry, replace, drainMs: config.global.shutdown_timeout });
    updateLogger(this.#gateway.logger, { level: config.global.log_level, secrets: config.secrets });
    this.emit('applied', config);
    return result;
  }

  /** The file's config with the runtime overrides applied. */
  #effective(file: GatewayConfig): GatewayConfig {
    if (this.#overrides.size === 0) return file;
    return deepFreeze({
      ...file,
      services: file.services.map((service) =>
        this.#overrides.has(service.name) ? { ...service, enabled: this.#overrides.get(service.name)! } : service,
      ),
    });
  }
}

/** `next` with the values at `paths` taken from `running`: settings that need a restart keep what is in effect. */
function keepRunningValues(next: GatewayConfig, running: GatewayConfig, paths: readonly string[]): GatewayConfig {
  const copy = structuredClone(next) as unknown as Record<string, unknown>;
  for (const path of paths) {
    const parts = path.split('.');
    let from: unknown = running;
    let to: Record<string, unknown> = copy;
    for (const [index, part] of parts.entries()) {
      from = (from as Record<string, unknown> | undefined)?.[part];
      if (index === parts.length - 1) {
        if (from === undefined) delete to[part];
        else to[part] = structuredClone(from);
      } else {
        to[part] ??= {};
        to = to[part] as Record<string, unknown>;
      }
    }
  }
  return deepFreeze(copy as unknown as GatewayConfig);
}
