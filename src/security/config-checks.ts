import { isLoopback } from './listener.js';
import type { AuthConfig, RateLimitsConfig } from './schema.js';

/**
 * Security settings that refer to other parts of the file or to the network: rate limits for services
 * that do not exist, and an issuer or JWKS reached over plain HTTP (tokens could be forged by anyone
 * on the path). Each issue carries the YAML path it belongs to.
 */
export function checkSecurityConfig(
  config: { server: { auth: AuthConfig }; rate_limits: RateLimitsConfig },
  services: ReadonlySet<string>,
): { path: (string | number)[]; message: string }[] {
  const issues: { path: (string | number)[]; message: string }[] = [];
  for (const name of Object.keys(config.rate_limits.services)) {
    if (!services.has(name)) issues.push({ path: ['rate_limits', 'services', name], message: `rate limit for "${name}", which is not a configured service` });
  }
  const oauth = config.server.auth.oauth;
  if (oauth) {
    for (const key of ['issuer', 'jwks_uri'] as const) {
      const value = oauth[key];
      if (value === undefined) continue;
      const url = new URL(value);
      if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopback(url.hostname))) {
        issues.push({ path: ['server', 'auth', 'oauth', key], message: `${value} must use https: (plain http is accepted only on loopback, for tests)` });
      }
    }
  }
  return issues;
}
