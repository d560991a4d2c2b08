import { createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import type { Logger } from '../sdk/logger.js';
import { TokenError } from './jwt.js';
import { isLoopback } from './listener.js';

interface CachedKey {
  readonly kid: string | undefined;
  readonly alg: string | undefined;
  readonly key: KeyObject;
}

export interface JwksOptions {
  readonly issuer: string;
  /** Left out: read from the issuer's metadata (RFC 8414, then OpenID discovery). */
  readonly jwksUri: string | undefined;
  readonly cacheMs: number;
  /** A token with an unknown kid refetches at most this often (an attacker must not make us hammer the issuer). */
  readonly refreshIntervalMs: number;
  readonly logger: Logger;
  readonly fetch?: typeof fetch;
  readonly now?: () => number;
}

const FETCH_TIMEOUT_MS = 5000;
const MAX_DOCUMENT_BYTES = 1_000_000;

/**
 * The issuer's signing keys, fetched over HTTP and cached. An unknown `kid` triggers one refetch (at
 * most every `refreshIntervalMs`), so a key rotation is picked up at once and a removed key stops working.
 * Symmetric (`oct`) keys and keys not meant for signatures are ignored: they must never verify a token.
 *
 * @example const key = await jwks.key('2026-11', 'RS256');
 */
export class JwksCache {
  readonly #options: JwksOptions;
  readonly #fetch: typeof fetch;
  readonly #now: () => number;
  #keys: CachedKey[] = [];
  #fetchedAt = Number.NEGATIVE_INFINITY;
  #attemptedAt = Number.NEGATIVE_INFINITY;
  #pending: Promise<void> | undefined;
  #jwksUri: string | undefined;

  constructor(options: JwksOptions) {
    this.#options = options;
    this.#fetch = options.fetch ?? fetch;
    this.#now = options.now ?? Date.now;
    this.#jwksUri = options.jwksUri;
  }

  /** The key for `kid` usable with `alg`; refreshes when stale or unknown; throws {@link TokenError}. */
  async key(kid: string | undefined, alg: string): Promise<KeyObject> {
    const now = this.#now();
    if (now - this.#fetchedAt > this.#options.cacheMs) await this.#refresh(true);
    let found = this.#find(kid, alg);
    if (!found && this.#now() - this.#attemptedAt >= this.#options.refreshIntervalMs) {
      await this.#refresh(false);
      found = this.#find(kid, alg);
    }
    if (!found) {
      throw new TokenError(kid === undefined ? 'the token names no key (kid) and the issuer has several' : `the token's signing key ${JSON.stringify(kid)} is not among the issuer's keys`);
    }
    return found.key;
  }

  #find(kid: string | undefined, alg: string): CachedKey | undefined {
    const usable = this.#keys.filter((key) => key.alg === undefined || key.alg === alg);
    if (kid !== undefined) return usable.find((key) => key.kid === kid);
    return usable.length === 1 ? usable[0] : undefined;
  }

  async #refresh(required: boolean): Promise<void> {
    this.#pending ??= this.#load().finally(() => {
      this.#pending = undefined;
    });
    try {
      await this.#pending;
    } catch (error) {
      const message = (error as Error).message;
      // Stale keys still work while the issuer is unreachable; with none at all nothing can be verified.
      if (this.#keys.length === 0 || !required) {
        this.#options.logger.warn({ issuer: this.#options.issuer, err: message }, 'cannot fetch the issuer signing keys (JWKS)');
      }
      if (this.#keys.length === 0) throw new TokenError(`the issuer's signing keys cannot be fetched right now: ${message}`, 503);
    }
  }

  async #load(): Promise<void> {
    this.#attemptedAt = this.#now();
    this.#jwksUri ??= await this.#discover();
    const document = await this.#getJson(this.#jwksUri);
    const keys = Array.isArray(document.keys) ? (document.keys as unknown[]) : undefined;
    if (!keys) throw new Error(`${this.#jwksUri} is not a JWKS (no "keys" array)`);
    const parsed: CachedKey[] = [];
    for (const jwk of keys) {
      const key = importKey(jwk);
      if (key) parsed.push(key);
    }
    this.#keys = parsed;
    this.#fetchedAt = this.#now();
    this.#options.logger.debug({ issuer: this.#options.issuer, keys: parsed.map((key) => key.kid) }, 'fetched the issuer signing keys');
  }

  /** RFC 8414 metadata (path-inserted), then OpenID discovery; the document must name the same issuer. */
  async #discover(): Promise<string> {
    const issuer = new URL(this.#options.issuer);
    const path = issuer.pathname === '/' ? '' : issuer.pathname.replace(/\/$/, '');
    const candidates = [
      `${issuer.origin}/.well-known/oauth-authorization-server${path}`,
      `${this.#options.issuer.replace(/\/$/, '')}/.well-known/openid-configuration`,
    ];
    const failures: string[] = [];
    for (const url of candidates) {
      try {
        const metadata = await this.#getJson(url);
        if (metadata.issuer !== this.#options.issuer) throw new Error(`it names issuer ${JSON.stringify(metadata.issuer)}`);
        if (typeof metadata.jwks_uri !== 'string') throw new Error('it has no jwks_uri');
        const jwks = new URL(metadata.jwks_uri);
        if (jwks.protocol !== 'https:' && !(jwks.protocol === 'http:' && isLoopback(jwks.hostname))) {
          throw new Error(`its jwks_uri ${metadata.jwks_uri} is not https:`);
        }
        return metadata.jwks_uri;
      } catch (error) {
        failures.push(`${url}: ${(error as Error).message}`);
      }
    }
    throw new Error(`no usable issuer metadata (set server.auth.oauth.jwks_uri): ${failures.join('; ')}`);
  }

  async #getJson(url: string): Promise<Record<string, unknown>> {
    const response = await this.#fetch(url, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS), headers: { accept: 'application/json' }, redirect: 'error' });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    const text = await response.text();
    if (text.length > MAX_DOCUMENT_BYTES) throw new Error(`the document is larger than ${MAX_DOCUMENT_BYTES} bytes`);
    const value: unknown = JSON.parse(text);
    if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error('the document is not a JSON object');
    return value as Record<string, unknown>;
  }
}

function importKey(jwk: unknown): CachedKey | undefined {
  if (jwk === null || typeof jwk !== 'object') return undefined;
  const { kty, use, kid, alg, d } = jwk as Record<string, unknown>;
  if (kty !== 'RSA' && kty !== 'EC' && kty !== 'OKP') return undefined;
  if (use !== undefined && use !== 'sig') return undefined;
  if (d !== undefined) return undefined; // a private key published by mistake: refuse to use it
  try {
    return {
      kid: typeof kid === 'string' ? kid : undefined,
      alg: typeof alg === 'string' ? alg : undefined,
      key: createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' }),
    };
  } catch {
    return undefined;
  }
}
