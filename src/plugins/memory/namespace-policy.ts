import { fromJsonSchema } from '@modelcontextprotocol/server';
import { GatewayError } from '../../sdk/index.js';
import { DEFAULT_NAMESPACE, type MemoryConfig } from './config.js';
import { preview } from './keys.js';

type Validator = ReturnType<typeof fromJsonSchema>;

/**
 * What the config says about namespaces: which are allowed, their default expiry, and the JSON Schema
 * their values must match — checked with the same validator the gateway uses for tool arguments.
 */
export class NamespacePolicy {
  readonly #config: MemoryConfig;
  readonly #service: string;
  readonly #validators = new Map<string, Validator>();

  constructor(config: MemoryConfig, service: string) {
    this.#config = config;
    this.#service = service;
    for (const [name, settings] of Object.entries(config.namespaces)) {
      if (settings.schema) this.#validators.set(name, fromJsonSchema(settings.schema as Parameters<typeof fromJsonSchema>[0]));
    }
  }

  /** Throws INVALID_ARGUMENTS when `strict_namespaces` is on and the namespace is not configured. */
  check(namespace: string): void {
    if (!this.#config.strict_namespaces || namespace === DEFAULT_NAMESPACE || namespace in this.#config.namespaces) return;
    const known = [DEFAULT_NAMESPACE, ...Object.keys(this.#config.namespaces)].join(', ');
    throw new GatewayError(
      'INVALID_ARGUMENTS',
      `namespace ${preview(namespace)} is not configured and strict_namespaces is on: use one of ${known}, or add it under namespaces:`,
      { service: this.#service },
    );
  }

  /** The expiry for a write: the call's own `ttl_seconds`, else the namespace's `ttl`, else none. */
  expiresAt(namespace: string, ttlSeconds: number | undefined, now: number): number | null {
    if (ttlSeconds !== undefined) return now + Math.round(ttlSeconds * 1000);
    const ttl = this.#config.namespaces[namespace]?.ttl;
    return ttl !== undefined && ttl > 0 ? now + ttl : null;
  }

  /**
   * Throws INVALID_ARGUMENTS naming every failing path when `value` does not match the namespace's
   * schema (`where` says which value, for batches). Synchronous (ajv is), so imports can call it
   * inside their transaction.
   */
  validate(namespace: string, value: unknown, where = 'value'): void {
    const validator = this.#validators.get(namespace);
    if (!validator) return;
    const result = validator['~standard'].validate(value);
    if (result instanceof Promise) throw new Error('the JSON Schema validator answered asynchronously'); // ajv never does
    if (!result.issues) return;
    const problems = result.issues.map((issue) => issue.message.replace(/(^|, )data(?=[/ ])/g, `$1${where}`)).join('; ');
    throw new GatewayError('INVALID_ARGUMENTS', `${where} does not match the schema of namespace ${preview(namespace)}: ${problems}`, {
      service: this.#service,
      data: { namespace },
    });
  }
}
