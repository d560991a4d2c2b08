/**
 * `mcpeg` — the library entry: load a config, build a gateway, serve it. Plugin authors import
 * `mcpeg/sdk` instead.
 *
 * @example
 * const loaded = await loadConfig({ text, origin: 'mcpeg.yaml', logger });
 * if (loaded.ok) { const gateway = buildGateway({ ...loaded, logger }); await new HttpFrontDoor(gateway, { host: '127.0.0.1', port: 0 }).listen({ host: '127.0.0.1', port: 0 }); }
 */
export { buildGateway, formatIssues, loadConfig } from './bootstrap.js';
export type { LoadOptions, LoadResult } from './bootstrap.js';
export type { GatewayConfig, ServiceConfig } from './config/model.js';
export type { ConfigIssue } from './config/source.js';
export { Gateway } from './core/gateway.js';
export type { HealthSummary, RequestScope } from './core/gateway.js';
export { createLogger } from './observability/logger.js';
export { generateApiKey, hashApiKey } from './security/api-key-hash.js';
export { MemoryRateLimitStore } from './security/rate-limit.js';
export type { BucketSpec, RateDecision, RateLimitStore } from './security/rate-limit.js';
export { HttpFrontDoor } from './transports/http.js';
export { StdioFrontDoor } from './transports/stdio.js';
export { GATEWAY_VERSION } from './version.js';
