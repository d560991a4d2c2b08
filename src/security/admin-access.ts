import type { IncomingMessage } from 'node:http';
import type { GatewayConfig } from '../config/model.js';
import type { Logger } from '../sdk/logger.js';
import type { Principal } from '../sdk/service-type.js';
import { HttpAuthGate } from './http-auth.js';
import { MemoryRateLimitStore } from './rate-limit.js';

export type AdminAccess =
  | { readonly ok: true; readonly principal: Principal }
  | { readonly ok: false; readonly status: 401 | 403 | 429 | 503; readonly message: string };

/**
 * Admin access for authenticated principals: when `server.auth` is configured, a request to the admin
 * API may also present an API key or OAuth token (same checks, same failed-auth limit as the MCP
 * endpoint); it passes only when its principal holds `authorization.admin_role`. One per admin listener.
 *
 * @example const access = await admins.check(req, gateway.config); if (access.ok) … else answer access.status
 */
export class AdminAccessControl {
  readonly #logger: Logger;
  readonly #store = new MemoryRateLimitStore();
  #gate: { config: GatewayConfig; gate: HttpAuthGate } | undefined;

  constructor(logger: Logger) {
    this.#logger = logger;
  }

  /** Whether principals (not only the admin key) can reach the admin API under `config`. */
  enabled(config: GatewayConfig): boolean {
    return config.server.auth.mode !== 'none';
  }

  async check(req: IncomingMessage, config: GatewayConfig): Promise<AdminAccess> {
    if (this.#gate?.config !== config) this.#gate = { config, gate: new HttpAuthGate(config, { logger: this.#logger, store: this.#store }) };
    const identified = await this.#gate.gate.identify(req);
    if (!identified.ok) return identified;
    const role = config.authorization.admin_role;
    if (!identified.principal.roles.includes(role)) {
      const roles = identified.principal.roles.join(', ') || 'none';
      return { ok: false, status: 403, message: `principal "${identified.principal.id}" (roles: ${roles}) lacks the "${role}" role the admin API requires (authorization.admin_role)` };
    }
    return { ok: true, principal: identified.principal };
  }
}
