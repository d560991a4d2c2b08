import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, resolve } from 'node:path';
import type { LoadResult } from '../bootstrap.js';
import type { Gateway } from '../core/gateway.js';
import type { ServiceTypeRegistry } from '../core/registry.js';
import type { Logger } from '../sdk/logger.js';
import { adminApi } from './admin-api.js';
import { AuditLog } from './audit/audit-log.js';
import { watchConfigFile, type ConfigWatcher } from './config-watcher.js';
import { HealthMonitor } from './health-monitor.js';
import { GatewayMetrics } from './metrics.js';
import { Reloader } from './reloader.js';

export interface OperationsOptions {
  readonly gateway: Gateway;
  readonly registry: ServiceTypeRegistry;
  readonly logger: Logger;
  /** Reads and validates the config file again; undefined when there is no file (the embedded default). */
  readonly load?: () => Promise<LoadResult>;
  /** The config file to watch for changes (undefined: no watching; SIGHUP and the admin API still reload). */
  readonly watchPath?: string;
  readonly watchDebounceMs?: number;
  /** Open sessions by era, from the front door. */
  readonly sessions?: () => { legacy: number; modern: number };
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** Everything operational around a running gateway, started together and closed together. */
export interface Operations {
  readonly reloader: Reloader;
  readonly health: HealthMonitor;
  readonly metrics: GatewayMetrics | undefined;
  readonly audit: AuditLog | undefined;
  /** The HTTP endpoints to mount on the front door: the admin API (unless it has its own listener) and `/metrics`. */
  readonly routes: (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;
  /** Starts the admin API's own listener when `server.admin.listen` is set; resolves with its URL. */
  listenAdmin(): Promise<string | undefined>;
  close(): Promise<void>;
}

/**
 * Wires the operational features to a gateway from its config: hot reload (file watch, and whatever calls
 * `reloader.reload`), periodic health checks, the admin API, Prometheus metrics, tracing (imported only
 * when enabled) and the audit log. The composition root (`mcpeg serve`) calls it once.
 *
 * @example const ops = await startOperations({ gateway, registry, logger, load, watchPath: location.path });
 *          const door = new HttpFrontDoor(gateway, { host, port, routes: ops.routes });
 */
export async function startOperations(options: OperationsOptions): Promise<Operations> {
  const { gateway, logger } = options;
  const config = gateway.config;
  const load = options.load ?? (async (): Promise<LoadResult> => ({ ok: true, config: gateway.config, registry: options.registry }));
  const reloader = new Reloader({ gateway, registry: options.registry, load, logger });
  const health = new HealthMonitor({ gateway, logger });
  reloader.on('applied', () => health.sync());
  health.sync();

  const metrics = config.server.metrics.enabled ? new GatewayMetrics({ gateway, reloader, health, sessions: options.sessions }) : undefined;
  const auditConfig = config.observability.audit;
  const audit = auditConfig.enabled
    ? new AuditLog({
        path: resolve(config.origin.startsWith('<') ? process.cwd() : dirname(config.origin), auditConfig.path),
        maxBytes: auditConfig.max_size,
        keep: auditConfig.keep,
        logger,
      })
    : undefined;
  const tracer = config.observability.tracing.enabled ? await startTracing(options.env ?? process.env, logger) : undefined;

  const admin = config.server.admin;
  const adminRoutes = admin.enabled ? adminApi({ gateway, reloader, health, logger, prefix: admin.path }) : undefined;
  const metricsPath = config.server.metrics.path;
  const serveMetrics = async (req: IncomingMessage, res: ServerResponse) => {
    if (!metrics || (req.url ?? '/').split('?')[0] !== metricsPath) return false;
    if (req.method !== 'GET') {
      res.writeHead(405, { allow: 'GET', 'content-type': 'text/plain' }).end('use GET\n');
      return true;
    }
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8', 'cache-control': 'no-store' });
    res.end(metrics.render());
    return true;
  };
  const ownListener = admin.listen !== undefined;
  const routes = async (req: IncomingMessage, res: ServerResponse) =>
    (await serveMetrics(req, res)) || (!ownListener && adminRoutes !== undefined && (await adminRoutes(req, res)));

  let watcher: ConfigWatcher | undefined;
  if (options.watchPath) {
    watcher = watchConfigFile(options.watchPath, {
      onChange: () => void reloader.reload('config file changed'),
      logger,
      ...(options.watchDebounceMs !== undefined ? { debounceMs: options.watchDebounceMs } : {}),
    });
  }
  let adminServer: Server | undefined;

  return {
    reloader,
    health,
    metrics,
    audit,
    routes,
    async listenAdmin() {
      if (!adminRoutes || admin.listen === undefined) return undefined;
      const { host, port } = parseHostPort(admin.listen);
      const server = createServer((req, res) => {
        adminRoutes(req, res)
          .then((handled) => {
            if (!handled) res.writeHead(404, { 'content-type': 'application/json' }).end(`${JSON.stringify({ error: { code: 'NOT_FOUND', message: `the admin API is under ${admin.path}` } })}\n`);
          })
          .catch((error: unknown) => {
            logger.error({ err: (error as Error).stack }, 'admin API request failed');
            if (!res.headersSent) res.writeHead(500).end();
          });
      });
      adminServer = server;
      await new Promise<void>((resolveListen, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => resolveListen());
      });
      const address = server.address() as AddressInfo;
      const url = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}${admin.path}`;
      logger.info({ url }, `admin API listening on ${url}`);
      return url;
    },
    async close() {
      watcher?.close();
      health.close();
      metrics?.close();
      await tracer?.close();
      await audit?.close();
      if (adminServer) {
        const server = adminServer;
        await new Promise<void>((done) => {
          server.close(() => done());
          server.closeAllConnections();
        });
      }
    },
  };
}

/** Tracing is imported only when enabled, so a gateway without it loads none of its code. */
async function startTracing(env: Readonly<Record<string, string | undefined>>, logger: Logger): Promise<{ close(): Promise<void> } | undefined> {
  const { otelSettings } = await import('./tracing/otel-env.js');
  let settings;
  try {
    settings = otelSettings(env);
  } catch (error) {
    logger.error({ err: (error as Error).message }, `tracing is off: ${(error as Error).message}`);
    return undefined;
  }
  if (settings.disabled) {
    logger.info('observability.tracing.enabled is true, but OTEL_SDK_DISABLED / OTEL_TRACES_EXPORTER=none turn it off');
    return undefined;
  }
  const { CallTracer } = await import('./tracing/tracer.js');
  logger.info({ url: settings.url, protocol: settings.protocol }, `exporting a span per tool call to ${settings.url} (${settings.protocol})`);
  return new CallTracer({ settings, logger });
}

function parseHostPort(value: string): { host: string; port: number } {
  const match = /^(?:(\[[^\]]+\]|[^:]+)?:)?(\d{1,5})$/.exec(value.trim());
  return { host: (match?.[1] ?? '127.0.0.1').replace(/^\[|\]$/g, ''), port: Number(match?.[2] ?? 0) };
}
