import { defineServiceType } from '../../sdk/define-service-type.js';
import type { ServiceType } from '../../sdk/service-type.js';
import { type OpenapiConfig, openapiConfigSchema } from './config.js';
import { OpenapiService } from './service.js';

/**
 * `openapi`: every operation of an OpenAPI 3.0 / 3.1 document (a file or a URL) as a tool, with its
 * input schema from the parameters and request body, credentials per security scheme, and the shared
 * HTTP client (retries, cache, rate limit, limits). See docs/services/openapi.md.
 *
 * @example
 * services:
 *   petstore:
 *     driver: openapi
 *     spec: specs/petstore.yaml
 *     base_url: https://petstore.example.com/v1
 */
export const openapiServiceType: ServiceType<OpenapiConfig> = defineServiceType({
  name: 'openapi',
  version: '1.0.0',
  category: 'rest',
  description: 'Tools generated from an OpenAPI 3.0/3.1 document: one per operation',
  capabilities: ['tools'],
  // Its tools are known only once the document is read: start with the gateway so the first tools/list is complete.
  eager: true,
  configSchema: openapiConfigSchema,
  create: (ctx) => new OpenapiService(ctx),
});

export default openapiServiceType;
