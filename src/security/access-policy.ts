import { globMatcher } from '../core/glob.js';
import type { Principal } from '../sdk/service-type.js';
import type { AccessClass, AuthorizationConfig, PolicyConfig } from './schema.js';

/** What a principal wants to reach, as the catalog resolved it (never the client's own spelling). */
export interface AccessTarget {
  readonly kind: 'tool' | 'prompt' | 'resource';
  readonly service: string;
  /** The public name (or URI), the service's original name, and `<service><sep><original>`; or URI and template. */
  readonly names: readonly string[];
  /** For tools: their annotations (after config overrides); prompts and resources are always read. */
  readonly annotations?: { readonly readOnlyHint?: unknown } | undefined;
}

export interface AccessDecision {
  readonly allowed: boolean;
  readonly accessClass: AccessClass;
  /** Which rule decided, for messages and audit: `policy #2 (deny)`, `default (read)`. */
  readonly reason: string;
}

type Match = (value: string) => boolean;
interface CompiledRule {
  readonly index: number;
  readonly rule: PolicyConfig;
  readonly anyRole: boolean;
  readonly roles: ReadonlySet<string>;
  readonly principals: Match | undefined;
  readonly services: Match | undefined;
  readonly tools: Match | undefined;
  readonly resources: Match | undefined;
  readonly prompts: Match | undefined;
}

/**
 * Decides who may reach which tool, prompt and resource. Classes: a tool whose annotations say
 * `readOnlyHint: true` is read, one listed in `admin_tools` is admin, every other tool is write;
 * prompts and resources are read. A matching deny wins; else a matching allow; else the default
 * (read for authenticated principals, or nothing). `enforced: false` (no authentication and no
 * policies: a trusted local setup) allows everything.
 *
 * @example policy.decide(principal, { kind: 'tool', service: 'orders_db', names: ['orders_db__query', 'query'] })
 */
export class AccessPolicy {
  readonly enforced: boolean;
  readonly #config: AuthorizationConfig;
  readonly #rules: readonly CompiledRule[];
  readonly #admin: Match;

  constructor(config: AuthorizationConfig, options: { authenticated: boolean }) {
    this.#config = config;
    this.enforced = options.authenticated || config.policies.length > 0;
    this.#admin = globMatcher(config.admin_tools);
    this.#rules = config.policies.map((rule, index) => ({
      index,
      rule,
      anyRole: rule.roles?.includes('*') ?? false,
      roles: new Set(rule.roles ?? []),
      principals: rule.principals ? globMatcher(rule.principals) : undefined,
      services: rule.services ? globMatcher(rule.services) : undefined,
      tools: rule.tools ? globMatcher(rule.tools) : undefined,
      resources: rule.resources ? globMatcher(rule.resources) : undefined,
      prompts: rule.prompts ? globMatcher(rule.prompts) : undefined,
    }));
  }

  classify(target: AccessTarget): AccessClass {
    if (target.kind !== 'tool') return 'read';
    if (target.names.some((name) => this.#admin(name))) return 'admin';
    return target.annotations?.readOnlyHint === true ? 'read' : 'write';
  }

  decide(principal: Principal, target: AccessTarget): AccessDecision {
    const accessClass = this.classify(target);
    if (!this.enforced) return { allowed: true, accessClass, reason: 'no authentication and no policies configured' };
    let allow: CompiledRule | undefined;
    for (const compiled of this.#rules) {
      if (!this.#applies(compiled, principal, target, accessClass)) continue;
      if (compiled.rule.effect === 'deny') return { allowed: false, accessClass, reason: describeRule(compiled) };
      allow ??= compiled;
    }
    if (allow) return { allowed: true, accessClass, reason: describeRule(allow) };
    const byDefault = accessClass === 'read' && this.#config.default === 'read';
    return { allowed: byDefault, accessClass, reason: `default (authorization.default: ${this.#config.default})` };
  }

  /**
   * Roles that would let `principal` reach `target` if it had one more of them (for an OAuth step-up:
   * the scope to ask for). Only roles named by allow policies, never `*`; each checked against the denies.
   */
  rolesThatWouldAllow(principal: Principal, target: AccessTarget): string[] {
    if (!this.enforced || this.decide(principal, target).allowed) return [];
    const candidates = new Set(this.#rules.filter((rule) => rule.rule.effect === 'allow').flatMap((rule) => [...rule.roles].filter((role) => role !== '*')));
    return [...candidates].filter((role) => this.decide({ id: principal.id, roles: [...principal.roles, role] }, target).allowed);
  }

  /** True when the principal holds the admin API's role. */
  isAdmin(principal: Principal): boolean {
    return principal.roles.includes(this.#config.admin_role);
  }

  get adminRole(): string {
    return this.#config.admin_role;
  }

  #applies(compiled: CompiledRule, principal: Principal, target: AccessTarget, accessClass: AccessClass): boolean {
    const { rule } = compiled;
    const who = compiled.anyRole || principal.roles.some((role) => compiled.roles.has(role)) || (compiled.principals?.(principal.id) ?? false);
    if (!who) return false;
    if (compiled.services && !compiled.services(target.service)) return false;
    if (rule.classes && !rule.classes.includes(accessClass)) return false;
    const kindMatch = target.kind === 'tool' ? compiled.tools : target.kind === 'prompt' ? compiled.prompts : compiled.resources;
    const namesKinds = compiled.tools || compiled.prompts || compiled.resources;
    // A rule that names targets of some kind applies only to those; one that names none applies to all.
    if (namesKinds) return kindMatch !== undefined && target.names.some((name) => kindMatch(name));
    return true;
  }
}

function describeRule(compiled: CompiledRule): string {
  const label = compiled.rule.description ? ` "${compiled.rule.description}"` : '';
  return `authorization.policies[${compiled.index}]${label} (${compiled.rule.effect})`;
}
