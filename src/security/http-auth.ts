import type { IncomingMessage, ServerResponse } from 'node:http';
import { type AuthInfo, getOAuthProtectedResourceMetadataUrl } from '@modelcontextprotocol/server';
import type { GatewayConfig } from '../config/model.js';
import type { Logger } from '../sdk/logger.js';
import type { Principal } from '../sdk/service-type.js';
import { ApiKeyVerifier } from './api-key-verifier.js';
import { TokenError } from './jwt.js';
import { OAuthVerifier } from './oauth-verifier.js';
import { ANONYMOUS, authInfoFor, principalOf } from './principal.js';
import { type BucketSpec, MemoryRateLimitStore, type RateLimitStore } from './rate-limit.js';
import type { BucketConfig } from './schema.js';

const WELL_KNOWN = '/.well-known/oauth-protected-resource';

type Failure = { status: 401 | 403 | 503; error?: 'invalid_token' | 'insufficient_scope'; description: string; presented: boolean };
type Outcome = { ok: true; principal: Principal; scopes: readonly string[]; expiresAt?: number } | ({ ok: false } & Failure);

export interface HttpAuthOptions {
  readonly logger: Logger;
  readonly store?: RateLimitStore;
  readonly fetch?: typeof fetch;
  readonly now?: () => number;
}

/**
 * Authentication at the HTTP front door: API keys (`Authorization: Bearer` or `X-API-Key`) or OAuth 2.1
 * JWT access tokens; RFC 9728 protected-resource metadata; 401 / 403 with a `WWW-Authenticate`
 * challenge; 429 for a principal over its request rate or an address guessing credentials.
 * Whatever happens, the presented credential is never logged and never passed on.
 *
 * @example const authInfo = await gate.admit(req, res); if (authInfo === null) return; // answered
 */
export class HttpAuthGate {
  readonly #config: GatewayConfig;
  readonly #logger: Logger;
  readonly #store: RateLimitStore;
  readonly #apiKeys: ApiKeyVerifier | undefined;
  readonly #oauth: OAuthVerifier | undefined;
  readonly #metadataUrl: string | undefined;
  readonly #metadataPaths: ReadonlySet<string>;

  constructor(config: GatewayConfig, options: HttpAuthOptions) {
    this.#config = config;
    this.#logger = options.logger;
    this.#store = options.store ?? new MemoryRateLimitStore(options.now);
    const auth = config.server.auth;
    if (auth.mode === 'api_keys') this.#apiKeys = new ApiKeyVerifier(auth.api_keys);
    if (auth.mode === 'oauth' && auth.oauth) {
      this.#oauth = new OAuthVerifier(auth.oauth, {
        logger: options.logger,
        ...(options.fetch ? { fetch: options.fetch } : {}),
        ...(options.now ? { now: options.now } : {}),
      });
      const resource = new URL(auth.oauth.resource);
      this.#metadataUrl = getOAuthProtectedResourceMetadataUrl(resource);
      const paths = [WELL_KNOWN, `${WELL_KNOWN}${config.server.http.path}`];
      if (resource.pathname !== '/') paths.push(`${WELL_KNOWN}${resource.pathname.replace(/\/$/, '')}`);
      this.#metadataPaths = new Set(paths);
    } else this.#metadataPaths = new Set();
  }

  /** No authentication and no per-principal rate limit: {@link admit} would admit everyone as anonymous. */
  get open(): boolean {
    return this.mode === 'none' && !this.#config.rate_limits.principal;
  }

  get mode(): GatewayConfig['server']['auth']['mode'] {
    return this.#config.server.auth.mode;
  }

  /** Serves the RFC 9728 metadata document at its well-known paths; false when `path` is not one of them. */
  serveMetadata(path: string, req: IncomingMessage, res: ServerResponse): boolean {
    if (!this.#metadataPaths.has(path)) return false;
    const oauth = this.#config.server.auth.oauth!;
    const cors = { 'access-control-allow-origin': '*', 'access-control-allow-methods': 'GET, OPTIONS', 'access-control-allow-headers': 'mcp-protocol-version' };
    if (req.method === 'OPTIONS') {
      res.writeHead(204, cors).end();
      return true;
    }
    if (req.method !== 'GET') {
      res.writeHead(405, { allow: 'GET, OPTIONS', ...cors }).end();
      return true;
    }
    const scopes = oauth.scopes_supported.length > 0 ? oauth.scopes_supported : oauth.required_scopes;
    const document = {
      resource: oauth.resource,
      authorization_servers: [oauth.issuer],
      bearer_methods_supported: ['header'],
      resource_signing_alg_values_supported: oauth.algorithms,
      resource_name: this.#config.global.server_name,
      ...(scopes.length > 0 ? { scopes_supported: scopes } : {}),
    };
    res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'max-age=300', ...cors });
    res.end(JSON.stringify(document));
    return true;
  }

  /**
   * Authenticates one request to the MCP endpoint. Resolves the SDK `AuthInfo` to serve it with
   * (`undefined` for an anonymous caller when authentication is off), or `null` when it already answered.
   */
  async admit(req: IncomingMessage, res: ServerResponse): Promise<AuthInfo | undefined | null> {
    const limits = this.#config.rate_limits;
    if (this.mode === 'none') return (await this.#withinRate(ANONYMOUS, res, limits.principal)) ? undefined : null;
    const address = req.socket.remoteAddress ?? 'unknown';
    const failedKey = `failed_auth:${address}`;
    const failedSpec = spec(limits.failed_auth);
    const credential = credentialOf(req);
    if (credential !== undefined) {
      // An address that has guessed wrong too often is refused before its guess is even checked.
      const blocked = await this.#store.peek(failedKey, failedSpec);
      if (!blocked.allowed) {
        this.#logger.warn({ address }, 'authentication attempts over rate_limits.failed_auth: refusing this address for now');
        tooMany(res, blocked.retryAfterMs, 'too many failed authentication attempts from this address');
        return null;
      }
    }
    const outcome = await this.#authenticate(credential);
    if (!outcome.ok) {
      if (outcome.presented) {
        await this.#store.take(failedKey, failedSpec);
        this.#logger.info({ address, status: outcome.status, reason: outcome.description }, 'authentication failed');
      }
      this.#refuse(res, outcome);
      return null;
    }
    if (!(await this.#withinRate(outcome.principal, res, limits.principal))) return null;
    return authInfoFor(outcome.principal, outcome.scopes, outcome.expiresAt);
  }

  /**
   * Authenticates a request without answering it (for the admin API, which answers in its own format):
   * the same credentials, checks and failed-auth limit as the MCP endpoint.
   */
  async identify(req: IncomingMessage): Promise<{ ok: true; principal: Principal } | { ok: false; status: 401 | 403 | 429 | 503; message: string }> {
    if (this.mode === 'none') return { ok: false, status: 401, message: 'server.auth.mode is none: no principal can be authenticated' };
    const address = req.socket.remoteAddress ?? 'unknown';
    const failedKey = `failed_auth:${address}`;
    const failedSpec = spec(this.#config.rate_limits.failed_auth);
    const credential = credentialOf(req);
    if (credential !== undefined) {
      const blocked = await this.#store.peek(failedKey, failedSpec);
      if (!blocked.allowed) return { ok: false, status: 429, message: `too many failed authentication attempts from this address — retry in ${Math.ceil(blocked.retryAfterMs / 1000)}s` };
    }
    const outcome = await this.#authenticate(credential);
    if (outcome.ok) return { ok: true, principal: outcome.principal };
    if (outcome.presented) await this.#store.take(failedKey, failedSpec);
    return { ok: false, status: outcome.status, message: outcome.description };
  }

  /**
   * The MCP scope challenge: an OAuth principal calling a tool its token's scopes do not reach, where
   * one more advertised scope would, gets `403 insufficient_scope` naming the scopes to ask for — so the
   * client can step up instead of failing. The dispatcher still decides every call; this is only the hint.
   * Returns true when it answered.
   */
  scopeChallenge(res: ServerResponse, authInfo: AuthInfo | undefined, rolesThatWouldAllow: (principal: Principal) => string[]): boolean {
    const oauth = this.#config.server.auth.oauth;
    if (this.mode !== 'oauth' || !oauth || !authInfo) return false;
    const principal = principalOf(authInfo);
    const missing = rolesThatWouldAllow(principal).find((role) => oauth.scopes_supported.includes(role));
    if (missing === undefined) return false;
    const scopes = [...new Set([...authInfo.scopes, missing])];
    this.#refuse(res, { status: 403, error: 'insufficient_scope', description: `this call needs the scope ${missing}; ask for: ${scopes.join(' ')}`, presented: false }, scopes);
    return true;
  }

  async #authenticate(credential: string | undefined): Promise<Outcome> {
    if (credential === undefined) {
      const how = this.mode === 'oauth' ? 'an OAuth access token' : 'an API key';
      return { ok: false, status: 401, description: `authentication required: send ${how} (Authorization: Bearer …)`, presented: false };
    }
    if (this.#apiKeys) {
      const principal = this.#apiKeys.verify(credential);
      if (!principal) return { ok: false, status: 401, error: 'invalid_token', description: 'the API key is not valid', presented: true };
      return { ok: true, principal, scopes: [] };
    }
    try {
      const token = await this.#oauth!.verify(credential);
      const missing = this.#config.server.auth.oauth!.required_scopes.filter((scope) => !token.scopes.includes(scope));
      if (missing.length > 0) {
        return { ok: false, status: 403, error: 'insufficient_scope', description: `the token lacks the scope(s) ${missing.join(' ')}`, presented: false };
      }
      return { ok: true, principal: token.principal, scopes: token.scopes, expiresAt: token.expiresAt };
    } catch (error) {
      if (!(error instanceof TokenError)) throw error;
      if (error.status === 503) return { ok: false, status: 503, description: error.message, presented: false };
      return { ok: false, status: 401, error: 'invalid_token', description: error.message, presented: true };
    }
  }

  #refuse(res: ServerResponse, failure: Failure, challengeScopes?: readonly string[]) {
    if (failure.status === 503) {
      send(res, 503, -32000, `the gateway cannot verify tokens right now: ${failure.description}`, { 'retry-after': '5' });
      return;
    }
    const oauth = this.#config.server.auth.oauth;
    const parts: string[] = [];
    if (this.#metadataUrl) parts.push(`resource_metadata="${this.#metadataUrl}"`);
    else parts.push(`realm="${quoted(this.#config.global.server_name)}"`);
    const scopes = challengeScopes ?? (failure.status === 403 ? oauth?.required_scopes : oauth && (oauth.required_scopes.length > 0 ? oauth.required_scopes : oauth.scopes_supported));
    if (scopes && scopes.length > 0) parts.push(`scope="${quoted(scopes.join(' '))}"`);
    if (failure.error) parts.push(`error="${failure.error}"`, `error_description="${quoted(failure.description)}"`);
    send(res, failure.status, failure.status === 403 ? -32003 : -32001, failure.status === 403 ? `Forbidden: ${failure.description}` : `Unauthorized: ${failure.description}`, {
      'www-authenticate': `Bearer ${parts.join(', ')}`,
    });
  }

  async #withinRate(principal: Principal, res: ServerResponse, limit: BucketConfig | undefined): Promise<boolean> {
    if (!limit) return true;
    const decision = await this.#store.take(`principal:${principal.id}`, spec(limit));
    if (decision.allowed) return true;
    tooMany(res, decision.retryAfterMs, `principal "${principal.id}" is over its request rate (rate_limits.principal: ${limit.requests} per ${limit.per / 1000}s)`);
    return false;
  }
}

/**
 * The presented credential: `Authorization: Bearer …` first, else `X-API-Key`. Another Authorization
 * scheme (Basic, …) with no API key counts as a wrong credential, not as none.
 */
function credentialOf(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization;
  const bearer = typeof header === 'string' ? /^Bearer[ ]+([^\s]+)\s*$/i.exec(header)?.[1] : undefined;
  if (bearer !== undefined) return bearer;
  const key = req.headers['x-api-key'];
  if (typeof key === 'string' && key.trim().length > 0) return key.trim();
  return typeof header === 'string' && header.length > 0 ? '' : undefined;
}

function spec(limit: BucketConfig): BucketSpec {
  return { requests: limit.requests, perMs: limit.per, ...(limit.burst !== undefined ? { burst: limit.burst } : {}) };
}

function tooMany(res: ServerResponse, retryAfterMs: number, message: string) {
  const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
  send(res, 429, -32000, `Too many requests: ${message} — retry in ${seconds}s`, { 'retry-after': String(seconds) });
}

function send(res: ServerResponse, status: number, code: number, message: string, headers: Record<string, string>) {
  if (res.headersSent) return;
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers });
  res.end(JSON.stringify({ jsonrpc: '2.0', error: { code, message }, id: null }));
}

/** A value safe inside a quoted-string of a WWW-Authenticate header. */
function quoted(value: string): string {
  return value.replace(/[^\x20-\x7e]/g, '?').replace(/["\\]/g, "'");
}
