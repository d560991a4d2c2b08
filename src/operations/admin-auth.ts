import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { GatewayConfig } from '../config/model.js';
import type { Principal } from '../sdk/service-type.js';
import type { AdminAccessControl } from '../security/admin-access.js';

/** The outcome of checking one admin request. */
export type AdminAuthResult =
  | { readonly ok: true; readonly principal: Principal }
  | { readonly ok: false; readonly status: 401 | 403 | 429 | 503; readonly message: string };

/** The principal an admin key stands for (audit records and logs name it). */
export const ADMIN_KEY_PRINCIPAL: Principal = Object.freeze({ id: 'admin-key', roles: Object.freeze(['admin']) as readonly string[] });

/**
 * Decides whether an admin API request may proceed: it must carry `Authorization: Bearer <server.admin.key>`.
 * The key is read from the running config on every request (a reload rotates it) and compared in constant
 * time (both sides hashed first, so neither the content nor the length leaks through timing).
 *
 * This is the one place admin access is decided: when the gateway authenticates principals (OAuth, API
 * keys), a principal holding the `admin` role is accepted here as well.
 *
 * @example const auth = authorizeAdmin(req.headers, gateway.config.server.admin.key);
 */
export function authorizeAdmin(headers: IncomingHttpHeaders, key: string | undefined): AdminAuthResult {
  if (key === undefined) return { ok: false, status: 403, message: 'the admin API has no key configured (server.admin.key)' };
  const header = headers.authorization;
  const match = typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  if (!match) {
    return { ok: false, status: 401, message: 'missing admin key: send "Authorization: Bearer <key>" (the CLI reads it from MCPEG_ADMIN_KEY)' };
  }
  if (!sameSecret(match[1]!, key)) return { ok: false, status: 401, message: 'wrong admin key (compare MCPEG_ADMIN_KEY with server.admin.key)' };
  return { ok: true, principal: ADMIN_KEY_PRINCIPAL };
}

/**
 * {@link authorizeAdmin}, and — when `server.auth` is configured — principals: an API key or OAuth token
 * (same checks and failed-auth limit as the MCP endpoint) whose principal holds `authorization.admin_role`.
 * The admin key keeps working either way.
 *
 * @example const auth = await authorizeAdminRequest(req, gateway.config, access);
 */
export async function authorizeAdminRequest(req: IncomingMessage, config: GatewayConfig, access: AdminAccessControl): Promise<AdminAuthResult> {
  const byKey = authorizeAdmin(req.headers, config.server.admin.key);
  if (byKey.ok || !access.enabled(config) || (req.headers.authorization === undefined && req.headers['x-api-key'] === undefined)) return byKey;
  const checked = await access.check(req, config);
  if (checked.ok) return { ok: true, principal: checked.principal };
  if (checked.status === 401) return { ok: false, status: 401, message: `neither the admin key nor a valid API key or token: ${checked.message}` };
  return checked;
}

/** Constant-time comparison of two secrets of any length. */
export function sameSecret(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}
