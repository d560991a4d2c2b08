import { defineServiceType } from '../../sdk/define-service-type.js';
import type { ServiceType } from '../../sdk/service-type.js';
import { type RestConfig, restConfigSchema } from './config.js';
import { RestService } from './service.js';

/**
 * `rest`: an HTTP API as tools — declared endpoints with typed parameters, or one generic `request`
 * tool confined to `base_url`. Auth from secret references, response cache, retries with backoff for
 * idempotent methods, rate limit, timeouts, size and redirect limits. See docs/services/rest.md.
 *
 * @example
 * services:
 *   weather:
 *     type: rest
 *     config:
 *       base_url: https://api.weather.gov
 *       cache_ttl: 5m
 */
export const restServiceType: ServiceType<RestConfig> = defineServiceType({
  name: 'rest',
  version: '1.0.0',
  category: 'rest',
  description: 'An HTTP API as tools: declared endpoints or a generic request tool confined to base_url',
  capabilities: ['tools'],
  configSchema: restConfigSchema,
  create: (ctx) => new RestService(ctx),
});

export default restServiceType;
