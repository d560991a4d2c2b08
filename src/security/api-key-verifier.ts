import type { Principal } from '../sdk/service-type.js';
import { sha256, storedKeyHash, type StoredKeyHash } from './api-key-hash.js';
import type { AuthConfig } from './schema.js';

interface Entry {
  readonly principal: Principal;
  readonly hash: StoredKeyHash;
  readonly slow: boolean;
}

/** Verified scrypt keys are remembered (by their SHA-256) so a client does not pay the scrypt cost per request. */
const CACHE_SIZE = 1000;

/**
 * Finds the principal of a presented API key. Every configured key is compared (in constant time
 * each), so the time taken does not tell which key, or which prefix, came close.
 *
 * @example verifier.verify('mcpeg_…') // { id: 'ci-bot', roles: ['reader'] } or undefined
 */
export class ApiKeyVerifier {
  readonly #entries: readonly Entry[];
  readonly #verified = new Map<string, Principal>();

  constructor(keys: AuthConfig['api_keys']) {
    this.#entries = keys.map((key) => ({
      principal: Object.freeze({ id: key.principal, roles: Object.freeze([...key.roles]) }),
      hash: storedKeyHash(key.hash),
      slow: key.hash.startsWith('scrypt:'),
    }));
  }

  verify(presented: string): Principal | undefined {
    if (presented.length === 0 || presented.length > 4096) return undefined;
    const digest = sha256(presented);
    const cacheKey = digest.toString('hex');
    const cached = this.#verified.get(cacheKey);
    if (cached) return cached;
    let found: Entry | undefined;
    for (const entry of this.#entries) {
      if (entry.slow) continue;
      if (entry.hash.matches(presented, digest) && !found) found = entry;
    }
    if (!found) for (const entry of this.#entries) if (entry.slow && entry.hash.matches(presented, digest)) found = entry;
    if (found?.slow) {
      if (this.#verified.size >= CACHE_SIZE) this.#verified.delete(this.#verified.keys().next().value!);
      this.#verified.set(cacheKey, found.principal);
    }
    return found?.principal;
  }
}
