import type { GatewayConfig } from '../config/model.js';
import { GatewayError } from '../sdk/errors.js';
import type { Principal } from '../sdk/service-type.js';
import { type AccessTarget, AccessPolicy } from './access-policy.js';
import { MemoryRateLimitStore, type RateLimitStore } from './rate-limit.js';
import { secretRedactor } from './redact.js';

/**
 * The security step of every call, run by the dispatcher on the entry the catalog resolved:
 * authorization first, then the service's rate limit. Also filters lists to what a principal may call
 * and redacts configured secret values from error messages. One per gateway: buckets outlive catalog swaps.
 *
 * @example await guard.admit(scope.principal, target); // throws ACCESS_DENIED or RATE_LIMITED
 */
export class CallGuard {
  readonly policy: AccessPolicy;
  readonly #config: GatewayConfig;
  readonly #store: RateLimitStore;
  readonly #redact: (text: string) => string;

  constructor(config: GatewayConfig, options: { store?: RateLimitStore } = {}) {
    this.#config = config;
    this.policy = new AccessPolicy(config.authorization, { authenticated: config.server.auth.mode !== 'none' });
    this.#store = options.store ?? new MemoryRateLimitStore();
    this.#redact = secretRedactor(config.secrets);
  }

  /** False when there is nothing to check (no authentication, no policies, no service limits): calls skip the guard. */
  get active(): boolean {
    return this.policy.enforced || Object.keys(this.#config.rate_limits.services).length > 0;
  }

  /** Whether `principal` may see and call `target` (lists are filtered with this). */
  may(principal: Principal, target: AccessTarget): boolean {
    return this.policy.decide(principal, target).allowed;
  }

  /** Throws `ACCESS_DENIED` or `RATE_LIMITED` (with `retryAfterMs`) when the call must not run. */
  async admit(principal: Principal, target: AccessTarget, display: string): Promise<void> {
    const decision = this.policy.decide(principal, target);
    if (!decision.allowed) {
      const roles = principal.roles.length > 0 ? principal.roles.join(', ') : 'none';
      throw new GatewayError(
        'ACCESS_DENIED',
        `access denied: principal "${principal.id}" (roles: ${roles}) may not use ${target.kind} ${display} (class ${decision.accessClass}); ` +
          `decided by ${decision.reason} — an operator can grant it with an allow policy under authorization.policies`,
        { service: target.service, data: { principal: principal.id, class: decision.accessClass } },
      );
    }
    const limit = this.#config.rate_limits.services[target.service];
    if (!limit) return;
    const key = limit.by === 'principal' ? `service:${target.service}:principal:${principal.id}` : `service:${target.service}`;
    const spec = { requests: limit.requests, perMs: limit.per, ...(limit.burst !== undefined ? { burst: limit.burst } : {}) };
    const taken = await this.#store.take(key, spec);
    if (!taken.allowed) {
      const seconds = Math.max(1, Math.ceil(taken.retryAfterMs / 1000));
      throw new GatewayError(
        'RATE_LIMITED',
        `rate limit reached: at most ${limit.requests} calls per ${limit.per / 1000}s ${limit.by === 'principal' ? `per principal ("${principal.id}")` : 'for this service'} — retry in ${seconds}s (rate_limits.services.${target.service})`,
        { service: target.service, retryAfterMs: taken.retryAfterMs },
      );
    }
  }

  /** The separator policies use to spell `<service><sep><original>` names. */
  get separator(): string {
    return this.#config.global.separator;
  }

  /** Removes configured secret values from a message a client or log is about to see. */
  redact(text: string): string {
    return this.#redact(text);
  }
}

/** The parts of a catalog entry the guard reads (structural, so security/ needs nothing from core/). */
interface NamedEntry {
  readonly name: string;
  readonly host: { readonly name: string };
  readonly definition: { readonly name: string };
  readonly descriptor: object;
}

/** A tool or prompt as policies see it: its public name, its original name, and `<service><sep><original>`. */
export function namedTarget(kind: 'tool' | 'prompt', entry: NamedEntry, separator: string): AccessTarget {
  const service = entry.host.name;
  return {
    kind,
    service,
    names: [...new Set([entry.name, entry.definition.name, `${service}${separator}${entry.definition.name}`])],
    annotations: kind === 'tool' ? (entry.descriptor as { annotations?: { readOnlyHint?: unknown } }).annotations : undefined,
  };
}

/** A resource as policies see it: its URI, and the template it matched, if any. */
export function resourceTarget(service: string, uri: string, template?: string): AccessTarget {
  return { kind: 'resource', service, names: template === undefined ? [uri] : [uri, template] };
}
