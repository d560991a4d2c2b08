import type { AuthInfo } from '@modelcontextprotocol/server';
import type { Principal } from '../sdk/service-type.js';

/** The caller when nobody is authenticated (stdio, or `server.auth.mode: none`). */
export const ANONYMOUS: Principal = Object.freeze({ id: 'anonymous', roles: Object.freeze([]) as readonly string[] });

/**
 * What the front door hands the SDK for an authenticated request. The client's credential itself is
 * deliberately not in it (`token` is empty): nothing past the front door can see, log or forward it.
 */
export function authInfoFor(principal: Principal, scopes: readonly string[], expiresAt?: number): AuthInfo {
  return {
    token: '',
    clientId: principal.id,
    scopes: [...scopes],
    ...(expiresAt !== undefined ? { expiresAt } : {}),
    extra: { principal },
  };
}

/** The principal an SDK request context carries; anonymous when the request was not authenticated. */
export function principalOf(authInfo: AuthInfo | undefined): Principal {
  const principal = authInfo?.extra?.principal as Principal | undefined;
  if (principal && typeof principal.id === 'string' && Array.isArray(principal.roles)) return principal;
  return authInfo ? Object.freeze({ id: authInfo.clientId, roles: Object.freeze([...authInfo.scopes]) }) : ANONYMOUS;
}
