import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Gateway } from '../core/gateway.js';
import { isGatewayError } from '../sdk/errors.js';
import type { Logger } from '../sdk/logger.js';
import { GATEWAY_VERSION } from '../version.js';
import { AdminAccessControl } from '../security/admin-access.js';
import { redactDeep } from '../security/redact.js';
import { authorizeAdminRequest } from './admin-auth.js';
import type { HealthMonitor } from './health-monitor.js';
import type { Reloader } from './reloader.js';

export interface AdminApiOptions {
  readonly gateway: Gateway;
  readonly reloader: Reloader;
  readonly health: HealthMonitor;
  readonly logger: Logger;
  /** The URL path prefix (`server.admin.path`). */
  readonly prefix: string;
}

const startedAt = new Date();

/**
 * The admin API: JSON over HTTP under `server.admin.path`, every request authorized by {@link authorizeAdminRequest} (admin key, or a principal with the admin role).
 *
 *   GET  /status                      gateway version, uptime, config, readiness summary, last reloads
 *   GET  /services                    every service: phase, health, breaker, bulkhead, pool, last error
 *   GET  /services/NAME               one service
 *   POST /services/NAME/enable        enable at runtime       POST /services/NAME/disable   disable at runtime
 *   POST /services/NAME/restart       replace its instance    POST /reload                  re-read the config file
 *   GET  /catalog                     tools, prompts, resources and templates with their service
 *
 * Returns false when the path is not under the prefix (the caller answers 404).
 *
 * @example const admin = adminApi({ gateway, reloader, health, logger, prefix: '/admin' }); if (await admin(req, res)) return;
 */
export function adminApi(options: AdminApiOptions): (req: IncomingMessage, res: ServerResponse) => Promise<boolean> {
  const { gateway, reloader, health, logger, prefix } = options;
  const access = new AdminAccessControl(logger);
  // Nothing the admin API answers may carry a configured secret (a service's last error can quote a DSN).
  const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) =>
    sendJson(res, status, redactDeep(body, gateway.config.secrets), headers);
  return async (req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    if (path !== prefix && !path.startsWith(`${prefix}/`)) return false;
    const auth = await authorizeAdminRequest(req, gateway.config, access);
    if (!auth.ok) {
      send(res, auth.status, { error: { code: 'UNAUTHORIZED', message: auth.message } }, auth.status === 401 ? { 'www-authenticate': 'Bearer realm="mcpeg-admin"' } : {});
      return true;
    }
    const route = path.slice(prefix.length).replace(/\/+$/, '') || '/';
    const method = req.method ?? 'GET';
    // Drain any body: none of the routes takes one.
    req.resume();
    try {
      const service = /^\/services\/([^/]+)(?:\/(enable|disable|restart))?$/.exec(route);
      if (route === '/status' && method === 'GET') send(res, 200, status());
      else if (route === '/services' && method === 'GET') send(res, 200, { services: services() });
      else if (service && !service[2] && method === 'GET') {
        const name = decodeURIComponent(service[1]!);
        const found = services().find((entry) => entry.name === name);
        if (found) send(res, 200, found);
        else send(res, 404, { error: { code: 'UNKNOWN_SERVICE', message: `no service named "${name}"; GET ${prefix}/services lists them` } });
      } else if (service?.[2] && method === 'POST') {
        const name = decodeURIComponent(service[1]!);
        const action = service[2];
        logger.info({ service: name, action, principal: auth.principal.id }, `admin API: ${action} ${name}`);
        const result = action === 'restart' ? await reloader.restart(name) : await reloader.setEnabled(name, action === 'enable');
        send(res, 200, { service: services().find((entry) => entry.name === name), result });
      } else if (route === '/reload' && method === 'POST') {
        logger.info({ principal: auth.principal.id }, 'admin API: reload');
        const outcome = await reloader.reload('admin API');
        send(res, outcome.ok ? 200 : 422, outcome);
      } else if (route === '/catalog' && method === 'GET') send(res, 200, catalog());
      else if (['/status', '/services', '/reload', '/catalog'].includes(route) || service) {
        send(res, 405, { error: { code: 'METHOD_NOT_ALLOWED', message: `${method} is not allowed on ${prefix}${route}` } });
      } else {
        send(res, 404, { error: { code: 'NOT_FOUND', message: `no admin route ${route}; routes: /status, /services, /services/NAME[/enable|/disable|/restart], /reload, /catalog` } });
      }
    } catch (error) {
      if (isGatewayError(error)) {
        const statusCode = error.code === 'UNKNOWN_SERVICE' ? 404 : error.code === 'SERVICE_DISABLED' ? 409 : error.code === 'CONFIG_INVALID' ? 422 : 503;
        send(res, statusCode, { error: { code: error.code, message: error.message } });
      } else {
        logger.error({ err: (error as Error).stack }, 'admin API request failed');
        send(res, 500, { error: { code: 'INTERNAL', message: 'internal error in the gateway (see its log)' } });
      }
    }
    return true;
  };

  function services() {
    const checks = health.states();
    return gateway.health().services.map((service) => {
      const host = gateway.host(service.name);
      let pool: unknown;
      try {
        pool = host?.instance.stats?.().pool;
      } catch {
        pool = undefined;
      }
      const override = reloader.overrides.get(service.name);
      return {
        ...service,
        override: override === undefined ? undefined : override ? 'enabled' : 'disabled',
        healthCheck: checks.get(service.name),
        pool,
        tools: gateway.catalog.tools.filter((entry) => entry.host.name === service.name).length,
      };
    });
  }

  function status() {
    const summary = gateway.health();
    return {
      version: GATEWAY_VERSION,
      startedAt: startedAt.toISOString(),
      uptimeSeconds: Math.round(process.uptime()),
      config: gateway.config.origin,
      status: summary.status,
      memory: summary.memory,
      services: {
        configured: summary.services.length,
        enabled: summary.services.filter((service) => service.enabled).length,
        byPhase: Object.fromEntries(
          [...new Set(summary.services.map((service) => service.phase))].map((phase) => [phase, summary.services.filter((service) => service.phase === phase).length]),
        ),
        isolated: summary.services.filter((service) => service.isolated).map((service) => service.name),
      },
      catalog: { tools: gateway.catalog.tools.length, prompts: gateway.catalog.prompts.length, resources: gateway.catalog.resources.length, templates: gateway.catalog.templates.length },
      reloads: { ...reloader.counts, last: reloader.history.slice(0, 5) },
    };
  }

  function catalog() {
    const { tools, prompts, resources, templates } = gateway.catalog;
    return {
      tools: tools.map((entry) => ({ name: entry.name, service: entry.host.name, description: entry.descriptor.description })),
      prompts: prompts.map((entry) => ({ name: entry.name, service: entry.host.name })),
      resources: resources.map((entry) => ({ uri: entry.descriptor.uri, service: entry.host.name })),
      templates: templates.map((entry) => ({ uriTemplate: entry.descriptor.uriTemplate, service: entry.host.name })),
    };
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  const text = JSON.stringify(body, null, 2);
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers });
  res.end(`${text}\n`);
}
