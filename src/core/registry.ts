import semver from 'semver';
import type { TypeLookup } from '../config/validate.js';
import { GatewayError } from '../sdk/errors.js';
import type { ServiceType } from '../sdk/service-type.js';

const TYPE_NAME = /^[a-z][a-z0-9_-]{0,47}$/;

/**
 * Service types by name: built-in adapters, built-in plugins and external plugins register through
 * the same `register`, which checks their metadata before anything runs. One registry per gateway
 * build (no module-level singleton).
 */
export class ServiceTypeRegistry implements TypeLookup {
  readonly #types = new Map<string, { type: ServiceType<unknown>; origin: string }>();
  readonly #modules = new Map<string, string[]>();
  readonly #gatewayVersion: string;

  constructor(gatewayVersion: string) {
    this.#gatewayVersion = gatewayVersion;
  }

  /**
   * Registers a service type after checking its metadata: name, semver version, category, a factory,
   * a config schema, and the range of gateway versions it supports.
   *
   * @example registry.register(sqliteType, 'built-in')
   */
  register(type: ServiceType<unknown>, origin: string): void {
    const where = `service type ${JSON.stringify((type as { name?: unknown })?.name ?? '?')} from ${origin}`;
    const invalid = (what: string) => new GatewayError('PLUGIN_INVALID', `${where}: ${what}`, { data: { origin } });
    if (type === null || typeof type !== 'object') throw invalid('is not an object made with defineServiceType()');
    if (typeof type.name !== 'string' || !TYPE_NAME.test(type.name)) {
      throw invalid('name must be lower-case letters, digits, _ or -, starting with a letter');
    }
    if (typeof type.version !== 'string' || !semver.valid(type.version)) throw invalid('version must be a semver like 1.2.0');
    if (typeof type.category !== 'string' || type.category.length === 0) throw invalid('category is required (database, rest, generic, …)');
    if (typeof type.create !== 'function') throw invalid('create(ctx) is missing');
    if (!type.configSchema || typeof (type.configSchema as { safeParse?: unknown }).safeParse !== 'function') {
      throw invalid('configSchema must be a zod schema (use the z exported by mcpeg/sdk)');
    }
    if (type.dependencies !== undefined && !Array.isArray(type.dependencies)) throw invalid('dependencies must be a list of type names');
    if (type.gateway !== undefined) {
      if (!semver.validRange(type.gateway)) throw invalid(`gateway range "${type.gateway}" is not a semver range`);
      if (!semver.satisfies(this.#gatewayVersion, type.gateway, { includePrerelease: true })) {
        throw new GatewayError(
          'PLUGIN_INCOMPATIBLE',
          `${where} supports gateway ${type.gateway}, but this is mcpeg ${this.#gatewayVersion}: upgrade one of them`,
          { data: { origin } },
        );
      }
    }
    const existing = this.#types.get(type.name);
    if (existing?.type === type) return; // the very same type object again (e.g. a built-in passed by a test): nothing to do
    if (existing) throw invalid(`a type with this name is already registered from ${existing.origin}`);
    this.#types.set(type.name, { type, origin });
  }

  /** Registers every type an external module exports and remembers which ones it brought. */
  registerModule(specifier: string, types: readonly ServiceType<unknown>[]): void {
    const names: string[] = [];
    for (const type of types) {
      this.register(type, `plugin ${specifier}`);
      names.push(type.name);
    }
    this.#modules.set(specifier, names);
  }

  /** Checks that every type's declared dependencies are registered. */
  checkDependencies(): GatewayError[] {
    const errors: GatewayError[] = [];
    for (const { type, origin } of this.#types.values()) {
      for (const dependency of type.dependencies ?? []) {
        if (!this.#types.has(dependency)) {
          errors.push(
            new GatewayError('PLUGIN_INVALID', `service type "${type.name}" from ${origin} depends on type "${dependency}", which is not registered`),
          );
        }
      }
    }
    return errors;
  }

  get(name: string): ServiceType<unknown> | undefined {
    return this.#types.get(name)?.type;
  }

  origin(name: string): string | undefined {
    return this.#types.get(name)?.origin;
  }

  names(): readonly string[] {
    return [...this.#types.keys()];
  }

  fromModule(specifier: string): readonly string[] | undefined {
    return this.#modules.get(specifier);
  }
}
