import type { Logger } from '../sdk/logger.js';
import type { Principal } from '../sdk/service-type.js';
import { JwksCache } from './jwks.js';
import { checkClaims, decodeJwt, TokenError, verifySignature } from './jwt.js';
import type { OAuthConfig } from './schema.js';

export interface VerifiedToken {
  readonly principal: Principal;
  readonly scopes: readonly string[];
  readonly expiresAt: number;
}

/**
 * Validates JWT access tokens as an OAuth 2.1 resource server: signature against the issuer's JWKS with
 * an algorithm allowlist, then iss, aud (= this gateway's resource URI), exp, nbf and iat with clock skew.
 * Roles are the configured claim's values plus the token's scopes.
 *
 * @example const { principal } = await verifier.verify(token);
 */
export class OAuthVerifier {
  readonly #config: OAuthConfig;
  readonly #jwks: JwksCache;
  readonly #now: () => number;

  constructor(config: OAuthConfig, options: { logger: Logger; fetch?: typeof fetch; now?: () => number }) {
    this.#config = config;
    this.#now = options.now ?? Date.now;
    this.#jwks = new JwksCache({
      issuer: config.issuer,
      jwksUri: config.jwks_uri,
      cacheMs: config.jwks_cache,
      refreshIntervalMs: config.jwks_refresh_interval,
      logger: options.logger,
      ...(options.fetch ? { fetch: options.fetch } : {}),
      now: this.#now,
    });
  }

  async verify(token: string): Promise<VerifiedToken> {
    const { header, payload, signingInput, signature } = decodeJwt(token);
    const alg = header.alg;
    if (typeof alg !== 'string' || !(this.#config.algorithms as readonly string[]).includes(alg)) {
      throw new TokenError(`the token's algorithm ${JSON.stringify(alg ?? null)} is not accepted (allowed: ${this.#config.algorithms.join(', ')})`);
    }
    if (header.crit !== undefined) throw new TokenError('the token has critical header extensions (crit) this gateway does not understand');
    if (header.kid !== undefined && typeof header.kid !== 'string') throw new TokenError('the token key id (kid) is not a string');
    const key = await this.#jwks.key(header.kid, alg);
    if (!verifySignature(alg, key, signingInput, signature)) throw new TokenError('the token signature is not valid');
    checkClaims(payload, { issuer: this.#config.issuer, audience: this.#config.resource, clockSkewMs: this.#config.clock_skew, now: this.#now() });
    const id = claim(payload, this.#config.principal_claim);
    if (typeof id !== 'string' || id.length === 0 || id.length > 256) {
      throw new TokenError(`the token has no usable principal claim "${this.#config.principal_claim}"`);
    }
    const scopes = scopesOf(payload);
    const roles = claim(payload, this.#config.roles_claim);
    const roleList = (Array.isArray(roles) ? roles : typeof roles === 'string' ? roles.split(' ') : []).filter(
      (role): role is string => typeof role === 'string' && role.length > 0,
    );
    return {
      principal: Object.freeze({ id, roles: Object.freeze([...new Set([...roleList, ...scopes])]) }),
      scopes,
      expiresAt: payload.exp as number,
    };
  }
}

/** A claim by dot path (`realm_access.roles`); own properties only. */
function claim(payload: Record<string, unknown>, path: string): unknown {
  let value: unknown = payload;
  for (const part of path.split('.')) {
    if (value === null || typeof value !== 'object' || !Object.hasOwn(value, part)) return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

/** `scope` (space-separated, RFC 9068) or `scp` (a list, as some issuers write it). */
function scopesOf(payload: Record<string, unknown>): string[] {
  if (typeof payload.scope === 'string') return payload.scope.split(' ').filter(Boolean);
  if (Array.isArray(payload.scp)) return payload.scp.filter((scope): scope is string => typeof scope === 'string');
  return [];
}
